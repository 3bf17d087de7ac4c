// The retrieval index at project scale: a generated tree of source and doc files (10,000 by
// default) is indexed from nothing, re-indexed unchanged, and re-indexed after a share of its
// files changed (1 % by default); then queries run against it. Prints a table; --json FILE
// writes one row. Checks as it goes (exit 1 when one fails): every file is indexed, a changed
// file's new word is found in that file and its old word is gone, and a word planted in one
// file finds that file first.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

#include "et/context/index.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;
using et::bench::json_row;

struct flags {
  int64_t files = 10'000;
  int64_t changed_percent = 1;
  int64_t queries = 200;
  std::string json;
};

std::optional<flags> parse_flags(int argc, char** argv) {
  flags f;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--json") {
      f.json = argv[i + 1];
      continue;
    }
    auto n = et::bench::whole_number(argv[i + 1]);
    if (!n)
      return std::nullopt;
    if (flag == "--files")
      f.files = *n;
    else if (flag == "--changed")
      f.changed_percent = *n;
    else if (flag == "--queries")
      f.queries = *n;
    else
      return std::nullopt;
  }
  if (argc % 2 == 0 || f.files < 10 || f.files > 1'000'000 || f.changed_percent > 100
      || f.queries < 1)
    return std::nullopt;
  return f;
}

// Words a project uses everywhere, so BM25 has common and rare terms to weigh.
const std::vector<std::string> vocabulary = {
    "request",  "response", "config", "parse",   "stream", "token",  "budget", "router",
    "provider", "fallback", "ledger", "chunk",   "index",  "query",  "actor",  "message",
    "error",    "timeout",  "retry",  "session", "worker", "review", "refine", "plan",
    "subtask",  "journal",  "state",  "handler", "buffer", "socket", "header", "status"};

// File `i`: a C++-like or Markdown-like body of 40 to 200 lines; `version` changes its words.
std::string file_text(int64_t i, int version) {
  std::mt19937_64 rng(static_cast<uint64_t>(i) * 7919 + static_cast<uint64_t>(version));
  auto word = [&] { return vocabulary[rng() % vocabulary.size()]; };
  bool doc = i % 5 == 0;
  auto lines = 40 + static_cast<int>(rng() % 160);
  std::string s;
  // Every file has one word of its own (and of its version) to be found by.
  s += (doc ? "# File " : "// file ") + std::to_string(i) + " marker" + std::to_string(i) + "v"
       + std::to_string(version) + "\n\n";
  for (int l = 0; l < lines; ++l) {
    if (doc) {
      s += l % 20 == 0 ? "## " + word() + " " + word() + "\n"
                       : word() + " the " + word() + " of " + word() + " and " + word() + ".\n";
    } else if (l % 15 == 0) {
      s += "\nint " + word() + "_" + word() + "(const " + word() + "& " + word() + ") {\n";
    } else {
      s += "  auto " + word() + " = " + word() + "." + word() + "(" + word() + ");\n";
    }
  }
  return s;
}

fs::path file_path(const fs::path& root, int64_t i) {
  // 100 folders of 100 files, like a project's source tree.
  auto dir = root / ("mod" + std::to_string(i % 100));
  return dir / ("f" + std::to_string(i) + (i % 5 == 0 ? ".md" : ".cpp"));
}

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream{p, std::ios::binary} << text;
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

bool check(bool ok, const std::string& what) {
  if (!ok)
    std::fprintf(stderr, "et-bench-index: check failed: %s\n", what.c_str());
  return ok;
}

// Whether the best hit for `word` is in file `i`.
bool finds_first(const et::context::index_db& db, const std::string& word, int64_t i) {
  auto hits = db.query(word, 3);
  auto want = file_path("", i).relative_path().string();
  return hits && !hits->empty() && hits->front().path == want;
}

struct timings {
  double first = 0, unchanged = 0, changed = 0;
  std::vector<double> query_ms;
};

int run(const flags& f) {
  auto root = fs::temp_directory_path() / ("et-bench-index-" + std::to_string(::getpid()));
  auto state = root.string() + "-state";
  fs::remove_all(root);
  auto t = clock_type::now();
  // Stamped an hour old, as a checkout is: files younger than 2 s are always read again.
  auto checked_out = fs::file_time_type::clock::now() - std::chrono::hours{1};
  for (int64_t i = 0; i < f.files; ++i) {
    write_file(file_path(root, i), file_text(i, 0));
    fs::last_write_time(file_path(root, i), checked_out);
  }
  std::printf("generated %lld files in %.2f s\n", static_cast<long long>(f.files),
              seconds_since(t));
  auto db = et::context::index_db::open(et::context::index_file(state, root));
  if (!db) {
    std::fprintf(stderr, "et-bench-index: %s\n", db.error().message.c_str());
    return 1;
  }
  bool ok = true;
  timings tm;
  t = clock_type::now();
  auto first = (*db)->update(root);
  tm.first = seconds_since(t);
  ok &= check(first && first->indexed == static_cast<size_t>(f.files), "every file indexed");
  t = clock_type::now();
  auto again = (*db)->update(root);
  tm.unchanged = seconds_since(t);
  ok &= check(again && again->unchanged == static_cast<size_t>(f.files), "nothing re-chunked");
  ok &= check(again && again->not_read == static_cast<size_t>(f.files), "nothing read again");
  auto changed = std::max<int64_t>(1, f.files * f.changed_percent / 100);
  for (int64_t n = 0; n < changed; ++n)
    write_file(file_path(root, n * (f.files / changed)), file_text(n * (f.files / changed), 1));
  t = clock_type::now();
  auto after = (*db)->update(root);
  tm.changed = seconds_since(t);
  ok &= check(after && after->indexed == static_cast<size_t>(changed), "only changed re-chunked");
  auto probe = (changed - 1) * (f.files / changed);
  ok &= check(finds_first(**db, "marker" + std::to_string(probe) + "v1", probe),
              "a changed file found by its new word");
  auto stale = (*db)->query("marker" + std::to_string(probe) + "v0", 1);
  ok &= check(stale && stale->empty(), "a changed file's old word gone");
  std::mt19937_64 rng(42);
  for (int64_t q = 0; q < f.queries; ++q) {
    auto i = static_cast<int64_t>(rng() % static_cast<uint64_t>(f.files));
    // Common words plus one that names a file: the index must rank that file first.
    auto text = vocabulary[rng() % vocabulary.size()] + " " + vocabulary[rng() % vocabulary.size()]
                + " marker" + std::to_string(i) + "v"
                + (i % (f.files / changed) == 0 && i / (f.files / changed) < changed ? "1" : "0");
    t = clock_type::now();
    auto hits = (*db)->query(text, 8);
    tm.query_ms.push_back(seconds_since(t) * 1000);
    auto want = file_path("", i).relative_path().string();
    ok &= check(hits && !hits->empty() && hits->front().path == want, "query ranks " + want);
  }
  auto status = (*db)->status();
  auto p50 = et::bench::percentile(tm.query_ms, 0.5);
  auto p99 = et::bench::percentile(tm.query_ms, 0.99);
  auto mib = status ? static_cast<double>(status->bytes_on_disk) / (1 << 20) : 0.0;
  std::printf("%-8s %-8s %-9s %-10s %-11s %-12s %-10s %-10s %-9s\n", "files", "chunks", "index_s",
              "MiB", "unchanged_s", "changed_s", "query_p50", "query_p99", "rss_MiB");
  std::printf("%-8lld %-8zu %-9.2f %-10.1f %-11.2f %-12.2f %-10.2f %-10.2f %-9.1f\n",
              static_cast<long long>(f.files), status ? status->chunks : 0, tm.first, mib,
              tm.unchanged, tm.changed, p50, p99, static_cast<double>(peak_rss_kib()) / 1024);
  std::printf("(%lld files changed, %lld queries; times in seconds, queries in ms)\n",
              static_cast<long long>(changed), static_cast<long long>(f.queries));
  json_row row;
  row.add("bench", "index")
      .add("files", f.files)
      .add("chunks", static_cast<int64_t>(status ? status->chunks : 0))
      .add("index_s", tm.first)
      .add("index_mib", mib)
      .add("reindex_unchanged_s", tm.unchanged)
      .add("changed_files", changed)
      .add("reindex_changed_s", tm.changed)
      .add("query_p50_ms", p50)
      .add("query_p99_ms", p99)
      .add("peak_rss_mib", static_cast<double>(peak_rss_kib()) / 1024)
      .add("checks", ok ? "passed" : "failed");
  db->reset();
  fs::remove_all(root);
  fs::remove_all(state);
  if (!et::bench::save_json(f.json, {row}, "et-bench-index"))
    return 1;
  return ok ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  constexpr const char* usage =
      "[--files N (10000, at least 10)] [--changed PERCENT (1)] [--queries N (200)] [--json FILE]";
  if (auto code = et::bench::check_flags(argc, argv, "et-bench-index", usage,
                                         {"--files", "--changed", "--queries", "--json"});
      code >= 0)
    return code;
  auto f = parse_flags(argc, argv);
  if (!f) {
    std::fprintf(stderr, "et-bench-index: --files (10 to 1000000), --changed (0 to 100) and "
                         "--queries (at least 1) take whole numbers; usage: et-bench-index %s\n",
                 usage);
    return 2;
  }
  return run(*f);
}
