#define CAF_SUITE apps.run_pool
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <fstream>
#include <map>
#include <set>

#include "app_test.hpp"
#include "et/store/ledger_store.hpp"

// `et run` in pool mode, in-process through run_cli, on the in-process mock
// provider: every answer comes from a script whose rules match the prompt, so
// a test proves what a worker was shown by which rule answered it.

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace et::test;

namespace {

/// A mock script rule: the first whose `match` is in the prompt answers `reply`.
struct rule {
  std::string match;
  std::string reply;
};

/// The eight subtasks of the big plan: "Handle the alpha part." answered "ALPHA-RESULT".
const std::vector<std::string> words{"alpha", "bravo",   "charlie", "delta",
                                     "echo",  "foxtrot", "golf",    "hotel"};

std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// A YAML double-quoted scalar, so replies may hold newlines, quotes and backticks.
std::string quote(const std::string& text) {
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
std::string plan_of(const std::vector<std::string>& items) {
  std::string out = "## Summary\nSplit the work by part.\n## Subtasks\n";
  for (size_t i = 0; i < items.size(); ++i)
    out += std::to_string(i + 1) + ". " + items[i] + "\n";
  return out;
}

/// The first `n` parts, each with its rule.
std::pair<std::vector<std::string>, std::vector<rule>> parts(size_t n) {
  std::pair<std::vector<std::string>, std::vector<rule>> out;
  for (size_t i = 0; i < n; ++i) {
    out.first.push_back("Handle the " + words[i] + " part.");
    out.second.push_back(rule{"handle the " + words[i] + " part", upper(words[i]) + "-RESULT"});
  }
  return out;
}

/// A fenced file block in the documented format.
std::string file_block(const std::string& path, const std::string& content) {
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

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_pool_tests, fixture)

CAF_TEST(eight subtasks over a pool of four reach the synthesis in subtask order) {
  auto [plan, work] = parts(8);
  write(setup{plan, work});
  auto run = run_json({"Do all eight parts"});
  CAF_CHECK_EQUAL(str(run.at("status")), "done");
  CAF_REQUIRE_EQUAL(run.at("subtasks").as_array().size(), 8u);
  std::set<std::string> members;
  for (size_t n = 1; n <= 8; ++n) {
    CAF_CHECK_EQUAL(str(subtask(run, n).at("state")), "done");
    CAF_CHECK_EQUAL(str(subtask(run, n).at("output")), upper(words[n - 1]) + "-RESULT");
    members.insert(str(subtask(run, n).at("member")));
  }
  // Four members free at the start each take one of the first four subtasks.
  CAF_CHECK_EQUAL(members.size(), 4u);
  auto final_output = str(run.at("final_output"));
  CAF_CHECK(final_output.starts_with("SYNTHESIS\n"));
  CAF_CHECK(in_order(final_output, results(8)));
}

CAF_TEST(no synthesize prints each raw result under its subtask in order) {
  auto [plan, work] = parts(8);
  write(setup{plan, work});
  auto r = et({"run", "--no-synthesize", "Do all eight parts"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(!has(r.out, "SYNTHESIS"));
  std::vector<std::string> expected;
  for (size_t i = 0; i < 8; ++i) {
    expected.push_back("## " + std::to_string(i + 1) + ". Handle the " + words[i] + " part.");
    expected.push_back(upper(words[i]) + "-RESULT");
  }
  CAF_CHECK(in_order(r.out, expected));
}

CAF_TEST(a member that fails every request hands its work to the others) {
  auto [plan, work] = parts(8);
  setup cfg{plan, work};
  cfg.faults["w2"] = "[{error: server_error, probability: 1.0}]";
  write(cfg);
  auto run = run_json({"--no-synthesize", "Do all eight parts"});
  CAF_CHECK_EQUAL(str(run.at("status")), "done");
  // A plan of several subtasks gets the mayor's brief (coordination is on by default).
  CAF_CHECK_EQUAL(str(run.at("brief")), "BRIEF-TEXT");
  bool moved = false;
  for (size_t n = 1; n <= 8; ++n) {
    const auto& s = subtask(run, n);
    CAF_CHECK_EQUAL(str(s.at("state")), "done");
    CAF_CHECK_NOT_EQUAL(str(s.at("member")), "m2");
    moved = moved || s.at("attempts").as_int64() > 1;
  }
  CAF_CHECK(moved);
  size_t failures = 0;
  for (const auto& e : journal(str(run.at("header").at("id"))))
    if (str(e.at("event")) == "attempt_failed") {
      CAF_CHECK_EQUAL(str(e.at("member")), "m2");
      ++failures;
    }
  CAF_CHECK_GREATER_OR_EQUAL(failures, 1u);
}

CAF_TEST(when every pool member fails the fallbacks of the role answer) {
  auto [plan, work] = parts(2);
  setup cfg{plan, work};
  cfg.pool = {"m1", "m2"};
  cfg.fallbacks = {"spare"};
  cfg.faults["w1"] = cfg.faults["w2"] = "[{error: server_error, probability: 1.0}]";
  write(cfg);
  auto run = run_json({"--no-synthesize", "Do two parts"});
  CAF_CHECK_EQUAL(str(run.at("status")), "done");
  for (size_t n = 1; n <= 2; ++n) {
    const auto& s = subtask(run, n);
    CAF_CHECK_EQUAL(str(s.at("state")), "done");
    CAF_CHECK_EQUAL(str(s.at("member")), "spare");
    CAF_CHECK_EQUAL(str(s.at("output")), upper(words[n - 1]) + "-RESULT");
    // Each member once, then the fallback.
    CAF_CHECK_EQUAL(s.at("attempts").as_int64(), 3);
  }
}

CAF_TEST(a dependent subtask waits for its dependency and is shown its result) {
  // The rule for subtask 3 only matches when subtask 1's answer is in its
  // prompt; without it the next rule answers MISSED.
  setup s{
      {"Write the base constant.", "Handle the bravo part.", "Use the base constant. [depends: 1]"},
      {{"base-value-7731", "DEPENDENT SAW IT"},
       {"use the base constant", "DEPENDENT MISSED IT"},
       {"write the base constant", "BASE-VALUE-7731"},
       {"handle the bravo part", "BRAVO-RESULT"}}};
  s.pool = {"m1", "m2", "m3"};
  write(s);
  auto run = run_json({"--no-synthesize", "Build on a constant"});
  CAF_CHECK_EQUAL(str(run.at("status")), "done");
  CAF_CHECK_EQUAL(str(subtask(run, 1).at("output")), "BASE-VALUE-7731");
  CAF_CHECK_EQUAL(str(subtask(run, 3).at("output")), "DEPENDENT SAW IT");
  CAF_CHECK_EQUAL(subtask(run, 3).at("depends_on").as_array().size(), 1u);
  // The second wave starts only once the first is over.
  int first_done = -1, dependent_assigned = -1, i = 0;
  for (const auto& e : journal(str(run.at("header").at("id")))) {
    auto kind = str(e.at("event"));
    if (kind == "subtask_finished" && e.at("number").as_int64() == 1)
      first_done = i;
    if (kind == "assigned" && e.at("number").as_int64() == 3 && dependent_assigned < 0)
      dependent_assigned = i;
    ++i;
  }
  CAF_CHECK_GREATER_OR_EQUAL(first_done, 0);
  CAF_CHECK_GREATER(dependent_assigned, first_done);
}

CAF_TEST(files are written inside the output dir and escape attempts are refused and reported) {
  auto out = dir / "out";
  auto outside = dir / "outside";
  fs::create_directories(out);
  fs::create_directories(outside);
  std::ofstream{outside / "target.txt"} << "original\n";
  fs::create_directory_symlink(outside, out / "link");
  fs::create_symlink(outside / "target.txt", out / "linkfile.txt");
  auto absolute = (outside / "abs.txt").string();
  setup s{{"Write the first files.", "Write the second files."},
          {{"write the first files",
            file_block("src/ok.txt", "ok\n") + file_block("../escape.txt", "no\n")
                + file_block(absolute, "no\n") + file_block("link/evil.txt", "no\n")
                + file_block("linkfile.txt", "no\n") + file_block("shared.txt", "one\n")
                + file_block(".git/config", "[core]\n\tfsmonitor = touch pwned\n")},
           {"write the second files",
            file_block("src/two.txt", "two\n") + file_block("shared.txt", "two\n")}}};
  s.pool = {"m1", "m2"};
  write(s);
  auto run = run_json({"--no-synthesize", "--output-dir", out.string(), "Write files"});
  CAF_CHECK_EQUAL(str(run.at("status")), "done");
  CAF_CHECK_EQUAL(read_file(out / "src" / "ok.txt"), "ok\n");
  CAF_CHECK(fs::exists(out / "src" / "two.txt"));
  CAF_CHECK(fs::exists(out / "shared.txt"));
  // Nothing landed outside, and the symlinked file still has its old content.
  CAF_CHECK(!fs::exists(dir / "escape.txt"));
  CAF_CHECK(!fs::exists(absolute));
  CAF_CHECK(!fs::exists(outside / "evil.txt"));
  CAF_CHECK_EQUAL(read_file(outside / "target.txt"), "original\n");
  std::string warnings;
  for (const auto& w : run.at("warnings").as_array())
    warnings += str(w) + "\n";
  CAF_CHECK(!fs::exists(out / ".git"));
  for (const auto& path : {std::string{"../escape.txt"}, absolute, std::string{"link/evil.txt"},
                           std::string{"linkfile.txt"}, std::string{".git/config"}})
    ET_CHECK_SAYING(has(warnings, "refused to write " + path), "not reported: " << path);
  CAF_CHECK(has(warnings, "shared.txt was written by subtask"));
  std::vector<std::string> files;
  for (const auto& f : subtask(run, 1).at("files").as_array())
    files.push_back(str(f));
  CAF_CHECK(std::find(files.begin(), files.end(), "src/ok.txt") != files.end());
  CAF_CHECK(std::find(files.begin(), files.end(), "../escape.txt") == files.end());
}

// The verify loop is tested against the et binary (tests/e2e/run_verify.test.cpp):
// a run that hangs can be killed there at a deadline, in-process it could not.

CAF_TEST(the json document describes the whole run) {
  auto [plan, work] = parts(2);
  setup s{plan, work};
  s.pool = {"m1", "m2"};
  write(s);
  auto run = run_json({"Do two parts"});
  const auto& header = run.at("header").as_object();
  CAF_CHECK(!str(header.at("id")).empty());
  CAF_CHECK_EQUAL(str(header.at("task")), "Do two parts");
  CAF_CHECK_EQUAL(str(header.at("worker_role")), "polecat");
  CAF_CHECK_EQUAL(str(header.at("supervisor_role")), "mayor");
  CAF_CHECK_EQUAL(str(header.at("config")), fs::absolute(file).string());
  CAF_CHECK_EQUAL(str(run.at("summary")), "Split the work by part.");
  const auto& first = subtask(run, 1);
  CAF_CHECK_EQUAL(first.at("number").as_int64(), 1);
  CAF_CHECK_EQUAL(str(first.at("text")), "Handle the alpha part.");
  CAF_CHECK_EQUAL(str(first.at("provider")).substr(0, 1), "w");
  CAF_CHECK_GREATER(first.at("tokens").at("completion_tokens").as_int64(), 0);
  CAF_CHECK_EQUAL(first.at("attempts").as_int64(), 1);
  std::vector<std::string> phases;
  for (const auto& p : run.at("phases").as_array())
    phases.push_back(str(p.at("name")));
  CAF_CHECK_EQUAL(phases, (std::vector<std::string>{"decompose", "coordinate", "execute", "synthesize"}));
  CAF_CHECK_GREATER(run.at("tokens").at("prompt_tokens").as_int64(), 0);
  CAF_CHECK(run.at("usd").is_number());
  CAF_CHECK(run.at("verifications").as_array().empty());
  // A finished run says when it finished, as `et runs show --json` does (0 means "never").
  CAF_CHECK_NOT_EQUAL(run.at("finished_ms").as_int64(), 0);
}

CAF_TEST(et runs lists a finished run and et runs show prints it) {
  auto [plan, work] = parts(2);
  setup s{plan, work};
  s.pool = {"m1", "m2"};
  write(s);
  auto id = str(run_json({"--no-synthesize", "Do two parts"}).at("header").at("id"));
  auto list = et({"runs"});
  CAF_CHECK_EQUAL(list.code, 0);
  CAF_CHECK(list.out.starts_with("ID"));
  CAF_CHECK(has(list.out, id));
  CAF_CHECK(has(list.out, "done"));
  CAF_CHECK(has(list.out, "2/2"));
  CAF_CHECK(has(list.out, "Do two parts"));
  auto show = et({"runs", "show", id.substr(0, id.size() - 2)}); // a prefix is enough
  CAF_CHECK_EQUAL(show.code, 0);
  CAF_CHECK(has(show.out, "run " + id + "  done"));
  CAF_CHECK(has(show.out, "flags: --no-synthesize"));
  CAF_CHECK(has(show.out, "subtasks:"));
  CAF_CHECK(has(show.out, "final output:\n## 1. Handle the alpha part."));
  auto doc = json::parse(et({"runs", "--json"}).out).as_object();
  CAF_CHECK_EQUAL(str(doc.at("runs").as_array().at(0).at("header").at("id")), id);
}

CAF_TEST(a failed subtask exits 1 and resume finishes it without redoing the others) {
  // Subtask 2 goes to the fixer specialist, whose provider is down in the
  // first run and back up once the test rewrites the config.
  auto write_with = [&](bool fixer_down) {
    auto [plan, work] = parts(2);
    plan[1] += " [specialist: fixer]";
    setup s{plan, work};
    s.pool = {"m1"};
    s.specialists = "specialists:\n  fixer: {model: m3}\n";
    if (fixer_down)
      s.faults["w3"] = "[{error: server_error, probability: 1.0}]";
    write(s);
  };
  write_with(true);
  auto out = dir / "out";
  auto first = run_json({"--output-dir", out.string(), "Do two parts"}, 1);
  auto id = str(first.at("header").at("id"));
  CAF_CHECK_EQUAL(str(first.at("status")), "failed");
  CAF_CHECK_EQUAL(str(subtask(first, 1).at("state")), "done");
  CAF_CHECK_EQUAL(str(subtask(first, 2).at("state")), "failed");
  CAF_CHECK(!str(subtask(first, 2).at("error")).empty());
  write_with(false);
  // A crash mid-write leaves et's temporary files; resume removes those, and only those.
  fs::create_directories(out / "src");
  auto stale = out / "src" / "a.py.et-999999999-0123456789abcdef.tmp";
  std::ofstream{stale} << "half";
  std::ofstream{out / "user.tmp"} << "mine";
  auto second = run_json({"--resume", id});
  CAF_CHECK(!fs::exists(stale));
  CAF_CHECK(fs::exists(out / "user.tmp"));
  CAF_CHECK_EQUAL(str(second.at("header").at("id")), id);
  CAF_CHECK_EQUAL(str(second.at("status")), "done");
  CAF_CHECK_EQUAL(second.at("resumes").as_int64(), 1);
  CAF_CHECK_EQUAL(str(subtask(second, 1).at("output")), "ALPHA-RESULT");
  CAF_CHECK_EQUAL(subtask(second, 1).at("attempts").as_int64(), 1);
  CAF_CHECK_EQUAL(str(subtask(second, 2).at("state")), "done");
  CAF_CHECK_EQUAL(str(subtask(second, 2).at("member")), "m3");
  // The ledger saw m1 (subtask 1's member) once over both runs.
  auto ledger = et::store::open_sqlite_ledger(dir / "state" / "ledger.sqlite");
  CAF_REQUIRE(ledger);
  auto calls = (*ledger)->since(0);
  CAF_REQUIRE(calls);
  size_t m1_calls = 0;
  for (const auto& c : *calls)
    m1_calls += c.call.alias == "m1";
  CAF_CHECK_EQUAL(m1_calls, 1u);
  // A finished run is not resumed again.
  auto again = et({"run", "--resume", id});
  CAF_CHECK_EQUAL(again.code, 2);
  CAF_CHECK(has(again.err, "already finished"));
}

CAF_TEST_FIXTURE_SCOPE_END()
