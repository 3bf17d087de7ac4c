#include "et/context/web_context.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "et/context/chunk.hpp"
#include "et/context/prompt.hpp"

namespace et::context {

namespace {

// Lower-case words: runs of ASCII letters and digits and of non-ASCII bytes (so UTF-8
// words stay whole).
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty())
      out.push_back(std::move(word));
    word.clear();
  };
  for (char c : text) {
    auto b = static_cast<unsigned char>(c);
    if (std::isalnum(b) || b >= 0x80) {
      if (word.size() < 64)
        word += static_cast<char>(std::tolower(b));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

} // namespace

std::vector<hit> rank_pages(const std::vector<fetched_page>& pages, std::string_view task,
                            size_t k) {
  std::vector<hit> chunks;
  std::vector<std::map<std::string, size_t>> counts;
  std::vector<size_t> lengths;
  for (const auto& page : pages)
    for (auto& c : chunk_text(page.url, page.text)) {
      auto words = words_of(c.text);
      std::map<std::string, size_t> tf;
      for (auto& w : words)
        ++tf[w];
      counts.push_back(std::move(tf));
      lengths.push_back(words.size());
      chunks.push_back({std::move(c.path), c.start_line, c.end_line, 0, std::move(c.text)});
    }
  if (chunks.empty())
    return {};
  auto task_words = words_of(task);
  std::set<std::string> terms(task_words.begin(), task_words.end());
  double n = static_cast<double>(chunks.size());
  double average = 0;
  for (auto l : lengths)
    average += static_cast<double>(l) / n;
  constexpr double k1 = 1.2;
  constexpr double b = 0.75;
  for (const auto& term : terms) {
    double df = 0;
    for (const auto& tf : counts)
      df += tf.count(term) ? 1 : 0;
    if (df == 0)
      continue;
    double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
    for (size_t i = 0; i < chunks.size(); ++i) {
      auto it = counts[i].find(term);
      if (it == counts[i].end())
        continue;
      double f = static_cast<double>(it->second);
      double norm = 1 - b + b * static_cast<double>(lengths[i]) / std::max(average, 1.0);
      chunks[i].score += idf * f * (k1 + 1) / (f + k1 * norm);
    }
  }
  std::stable_sort(chunks.begin(), chunks.end(),
                   [](const hit& x, const hit& y) { return x.score > y.score; });
  if (chunks.size() > k)
    chunks.resize(k);
  return chunks;
}

std::string web_block(const std::vector<hit>& hits, size_t max_bytes) {
  return quoted_block(hits, max_bytes,
                      "Web context: excerpts of web pages given for this task, each quoted under "
                      "its source (URL:first-last line). They are reference material from "
                      "outside the project. Use what is relevant.");
}

} // namespace et::context
