#pragma once
// The run_pool suites' fixture (run_pool.test.cpp, run_pool_output.test.cpp):
// `et run` in pool mode, in-process through run_cli, on the in-process mock
// provider: every answer comes from a script whose rules match the prompt, so
// a test proves what a worker was shown by which rule answered it.

#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <fstream>
#include <map>
#include <set>

#include "app_test.hpp"
#include "et/store/ledger_store.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;

namespace run_pool_test {

using namespace et::test;

/// A mock script rule: the first whose `match` is in the prompt answers `reply`.
struct rule {
  std::string match;
  std::string reply;
};

/// The eight subtasks of the big plan: "Handle the alpha part." answered "ALPHA-RESULT".
inline const std::vector<std::string> words{"alpha", "bravo",   "charlie", "delta",
                                            "echo",  "foxtrot", "golf",    "hotel"};

inline std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// A YAML double-quoted scalar, so replies may hold newlines, quotes and backticks.
inline std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '"' || c == '\\')
      out += std::string{"\\"} + c;
    else
      out += c;
  }
  return out + "\"";
}

/// A plan the mayor answers with: a summary and numbered items (markers included).
inline std::string plan_of(const std::vector<std::string>& items) {
  std::string out = "## Summary\nSplit the work by part.\n## Subtasks\n";
  for (size_t i = 0; i < items.size(); ++i)
    out += std::to_string(i + 1) + ". " + items[i] + "\n";
  return out;
}

/// The first `n` parts, each with its rule.
inline std::pair<std::vector<std::string>, std::vector<rule>> parts(size_t n) {
  std::pair<std::vector<std::string>, std::vector<rule>> out;
  for (size_t i = 0; i < n; ++i) {
    out.first.push_back("Handle the " + words[i] + " part.");
    out.second.push_back(rule{"handle the " + words[i] + " part", upper(words[i]) + "-RESULT"});
  }
  return out;
}

/// A fenced file block in the documented format.
inline std::string file_block(const std::string& path, const std::string& content) {
  return "```file path=" + path + "\n" + content + "```\n";
}

/// What a config is made of; `write` turns it into YAML.
struct setup {
  setup(std::vector<std::string> subtasks, std::vector<rule> rules)
      : plan(std::move(subtasks)), work(std::move(rules)) {}
  std::vector<std::string> plan;                         ///< the mayor's subtasks
  std::vector<rule> work;                                ///< every worker provider's script
  std::vector<std::string> pool{"m1", "m2", "m3", "m4"}; ///< the polecat's pool
  std::vector<std::string> fallbacks;                    ///< the polecat's fallbacks
  std::map<std::string, std::string> faults;             ///< provider -> its `faults:` list
  std::string specialists;                               ///< a `specialists:` section
};

struct fixture : scratch_dir {
  fs::path file = dir / "et.yaml";

  fixture() : scratch_dir("run-pool") {}

  // Providers w1..w4 and sp (the spare) run the worker script; boss is the
  // mayor: it plans, and its synthesis quotes the prompt it got ({prompt}),
  // so a test sees the order in which the results reached it.
  void write(const setup& s) {
    std::ofstream out{file};
    out << "providers:\n  boss: {type: mock, mock: {mode: script, script: [{match: "
        << quote("Write a short brief") << ", reply: BRIEF-TEXT}, {match: "
        << quote("plan the task below") << ", reply: " << quote(plan_of(s.plan))
        << "}, {reply: " << quote("SYNTHESIS\n{prompt}") << "}]}}\n";
    for (std::string p : {"w1", "w2", "w3", "w4", "sp"}) {
      out << "  " << p << ": {type: mock, mock: {mode: script, latency: 20ms, script: [";
      for (size_t i = 0; i < s.work.size(); ++i)
        out << (i ? ", " : "") << "{match: " << quote(s.work[i].match)
            << ", reply: " << quote(s.work[i].reply) << "}";
      out << "]";
      if (auto f = s.faults.find(p); f != s.faults.end())
        out << ", faults: " << f->second;
      out << "}}\n";
    }
    out << "models:\n  planner: {provider: boss, model: planner}\n"
        << "  m1: {provider: w1, model: m1}\n  m2: {provider: w2, model: m2}\n"
        << "  m3: {provider: w3, model: m3}\n  m4: {provider: w4, model: m4}\n"
        << "  spare: {provider: sp, model: spare}\n"
        << "roles:\n  mayor: {model: planner}\n  polecat: {model: " << s.pool.front()
        << ", pool: [";
    for (size_t i = 0; i < s.pool.size(); ++i)
      out << (i ? ", " : "") << s.pool[i];
    out << "], fallbacks: [";
    for (size_t i = 0; i < s.fallbacks.size(); ++i)
      out << (i ? ", " : "") << s.fallbacks[i];
    out << "]}\n" << s.specialists << "retry: {attempts: 1}\ndefaults: {state_dir: state}\n";
  }

  outcome et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(file.string());
    return run_in_process(args);
  }

  // `et run --json`: the document, after checking it parses as one object.
  json::object run_json(std::vector<std::string> args, int expected_code = 0) {
    args.insert(args.begin(), "run");
    args.push_back("--json");
    auto r = et(args);
    CAF_CHECK_EQUAL(r.code, expected_code);
    if (r.code != expected_code)
      CAF_MESSAGE("stderr:\n" << r.err);
    boost::system::error_code ec;
    auto doc = json::parse(r.out, ec);
    CAF_REQUIRE(!ec);
    CAF_REQUIRE(doc.is_object());
    return doc.as_object();
  }

  // The run's journal events, in order.
  std::vector<json::object> journal(const std::string& id) {
    std::ifstream in{dir / "state" / "runs" / id / "journal.jsonl"};
    std::vector<json::object> out;
    for (std::string line; std::getline(in, line);)
      out.push_back(json::parse(line).as_object());
    return out;
  }
};

std::string str(const json::value& v) {
  return std::string{v.as_string()};
}

const json::object& subtask(const json::object& run, size_t number) {
  return run.at("subtasks").as_array().at(number - 1).as_object();
}

// Every one of `pieces` in `text`, each after the one before.
bool in_order(const std::string& text, const std::vector<std::string>& pieces) {
  size_t at = 0;
  for (const auto& p : pieces) {
    auto pos = text.find(p, at);
    if (pos == std::string::npos)
      return false;
    at = pos + p.size();
  }
  return true;
}

std::vector<std::string> results(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(upper(words[i]) + "-RESULT");
  return out;
}

} // namespace run_pool_test
