#include "et/provider/mock_engine.hpp"
#include "et/util/json_text.hpp"
#include "et/util/text.hpp"

#include <boost/json.hpp>

#include <cmath>

#include <algorithm>
#include <cctype>

namespace et::provider {

namespace {

std::string last_user_message(const chat_request& req) {
  for (auto i = req.messages.rbegin(); i != req.messages.rend(); ++i)
    if (i->who == role::user)
      return i->content;
  return {};
}

// Everything the model would read, for `match` rules.
std::string whole_prompt(const chat_request& req) {
  std::string out;
  for (const auto& m : req.messages)
    out += m.content + "\n";
  return out;
}

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

} // namespace

mock_engine::mock_engine(config::mock_settings settings)
    : settings_(std::move(settings)), random_(settings_.seed) {}

int64_t mock_engine::count_tokens(std::string_view text) {
  return static_cast<int64_t>((text.size() + 3) / 4);
}

int64_t mock_engine::prompt_tokens(const chat_request& req) {
  return count_tokens(whole_prompt(req));
}

std::vector<std::string> mock_engine::split_pieces(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    auto word_end = text.find_first_of(" \n\t", start);
    if (word_end == std::string_view::npos) {
      out.emplace_back(text.substr(start));
      break;
    }
    auto next = text.find_first_not_of(" \n\t", word_end);
    auto end = next == std::string_view::npos ? text.size() : next;
    out.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

std::optional<failure> mock_engine::fault_for(uint64_t call) {
  for (const auto& f : settings_.faults) {
    bool listed = std::find(f.on_calls.begin(), f.on_calls.end(), static_cast<int64_t>(call))
                  != f.on_calls.end();
    // Draw for every probabilistic fault on every call, so the sequence of
    // outcomes depends only on the seed and the call number.
    bool drawn =
        f.on_calls.empty() && std::uniform_real_distribution<double>{0, 1}(random_) < f.probability;
    if (listed || drawn) {
      failure out{f.error, f.message, f.retry_after, f.error == errc::rate_limited ? 429 : 0};
      out.unsent = f.unsent;
      return out;
    }
  }
  return std::nullopt;
}

std::string mock_engine::reply_for(const chat_request& req, uint64_t call) const {
  std::string reply;
  if (settings_.mode == "fixed") {
    reply = settings_.text;
  } else if (settings_.mode == "script") {
    auto prompt = ascii_lower(whole_prompt(req));
    for (const auto& rule : settings_.script) {
      if (!rule.model.empty() && rule.model != req.model)
        continue;
      if (!rule.match.empty() && prompt.find(ascii_lower(rule.match)) == std::string::npos)
        continue;
      reply = rule.reply;
      break;
    }
    if (reply.empty())
      reply = "(the mock script has no rule for model " + req.model + ")";
  } else {
    reply = last_user_message(req);
  }
  replace_all(reply, "{prompt}", last_user_message(req));
  replace_all(reply, "{model}", req.model);
  replace_all(reply, "{call}", std::to_string(call));
  return reply;
}

mock_plan mock_engine::answer(const chat_request& req) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto call = ++calls_;
  mock_plan plan;
  plan.first_delay = settings_.latency;
  if (auto f = fault_for(call)) {
    plan.error = std::move(f);
    return plan;
  }
  auto text = reply_for(req, call);
  if (req.format.kind != answer_format::shape::text) // the shape asked for, as a model would
    text = json_text(boost::json::object{{"answer", text}});
  if (req.max_tokens && count_tokens(text) > *req.max_tokens) {
    text.resize(static_cast<size_t>(*req.max_tokens) * 4);
    plan.response.finish = finish_reason::length;
  } else {
    plan.response.finish = finish_reason::stop;
  }
  plan.pieces = split_pieces(text);
  if (settings_.tokens_per_second > 0)
    plan.piece_delay =
        std::chrono::milliseconds{static_cast<int64_t>(1000.0 / settings_.tokens_per_second)};
  plan.response.id = "mock-" + std::to_string(call);
  plan.response.model = req.model;
  plan.response.content = std::move(text);
  plan.response.tokens.prompt_tokens = prompt_tokens(req);
  plan.response.tokens.completion_tokens = count_tokens(plan.response.content);
  return plan;
}

std::vector<model_info> mock_engine::models(const std::vector<std::string>& fallback) const {
  const auto& ids = settings_.models.empty() ? fallback : settings_.models;
  std::vector<model_info> out;
  for (const auto& id : ids)
    out.push_back(model_info{id, id, std::nullopt});
  return out;
}

embed_response mock_embed(const embed_request& req) {
  constexpr size_t dim = 64;
  embed_response r;
  r.model = req.model;
  for (const auto& text : req.inputs) {
    std::vector<float> v(dim, 0.0f);
    uint64_t h = 1469598103934665603ull; // FNV-1a over each word
    bool in_word = false;
    auto end_word = [&] {
      if (!in_word)
        return;
      v[h % dim] += 1.0f;
      ++r.tokens.prompt_tokens;
      h = 1469598103934665603ull;
      in_word = false;
    };
    for (unsigned char c : text) {
      if (std::isalnum(c)) {
        h = (h ^ static_cast<unsigned char>(std::tolower(c))) * 1099511628211ull;
        in_word = true;
      } else {
        end_word();
      }
    }
    end_word();
    double norm = 0;
    for (auto x : v)
      norm += double(x) * x;
    if (norm == 0)
      v[0] = 1.0f;
    else
      for (auto& x : v)
        x = static_cast<float>(x / std::sqrt(norm));
    r.vectors.push_back(std::move(v));
  }
  return r;
}

} // namespace et::provider
