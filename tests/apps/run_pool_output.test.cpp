#define CAF_SUITE apps.run_pool_output
#include "run_pool_test.hpp"

#include "et/app/commands.hpp"
#include "et/app/run_pipeline.hpp"

#include <chrono>
#include <fstream>
#include <sstream>

// `et run` in pool mode, what a run leaves: files in the output dir, the --json
// document, et runs, and resume of a failed subtask (of a journal sealed here, or trusted).

using namespace run_pool_test;

namespace {

// Two parts, the second for the fixer specialist (m3), whose provider is down while
// `fixer_down`: a run fails there, and a resume after the config is written again finishes.
struct fixer_fixture : fixture {
  void write_fixer(bool fixer_down) {
    auto [plan, work] = parts(2);
    plan[1] += " [specialist: fixer]";
    setup s{plan, work};
    s.pool = {"m1"};
    s.specialists = "specialists:\n  fixer: {model: m3}\n";
    if (fixer_down)
      s.faults["w3"] = "[{error: server_error, probability: 1.0}]";
    write(s);
  }

  // Replaces the first `from` in run `id`'s journal by `to`, as someone who can write the
  // runs dir would.
  void edit_journal(const std::string& id, const std::string& from, const std::string& to) {
    auto journal = dir / "state" / "runs" / id / "journal.jsonl";
    std::ifstream in{journal};
    std::stringstream text;
    text << in.rdbuf();
    in.close();
    auto edited = text.str();
    auto at = edited.find(from);
    CAF_REQUIRE(at != std::string::npos);
    edited.replace(at, from.size(), to);
    std::ofstream{journal, std::ios::trunc} << edited;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_pool_output_tests, fixer_fixture)

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
  CAF_CHECK_EQUAL(phases,
                  (std::vector<std::string>{"decompose", "coordinate", "execute", "synthesize"}));
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
  write_fixer(true);
  auto out = dir / "out";
  auto first = run_json({"--output-dir", out.string(), "Do two parts"}, 1);
  auto id = str(first.at("header").at("id"));
  CAF_CHECK_EQUAL(str(first.at("status")), "failed");
  CAF_CHECK_EQUAL(str(subtask(first, 1).at("state")), "done");
  CAF_CHECK_EQUAL(str(subtask(first, 2).at("state")), "failed");
  CAF_CHECK(!str(subtask(first, 2).at("error")).empty());
  write_fixer(false);
  // What the journal fixes is refused on a resume, not silently ignored; nothing runs.
  auto fixed = et({"run", "--resume", id, "--worker-role", "spare"});
  CAF_CHECK_EQUAL(fixed.code, 2);
  CAF_CHECK(has(fixed.err, "et run --resume: --worker-role is the run's own"));
  auto flag = et({"run", "--resume", id, "--no-synthesize"});
  CAF_CHECK_EQUAL(flag.code, 2);
  CAF_CHECK(has(flag.err, "--no-synthesize is the run's own"));
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

CAF_TEST(an answer whose re - ask was cut by a crash is kept by the resume) {
  write_fixer(true);
  auto id = str(run_json({"Do two parts"}, 1).at("header").at("id"));
  // The process died while subtask 1 was being asked again (a review or a failed verify):
  // its journal ends with that re-ask's assignment.
  {
    std::ofstream journal{dir / "state" / "runs" / id / "journal.jsonl", std::ios::app};
    journal << R"({"event":"assigned","at":1,"number":1,"member":"m1","attempt":2})"
            << "\n";
  }
  // On resume m1 is down: asked again from scratch, the subtask would fail with nothing.
  auto [plan, work] = parts(2);
  plan[1] += " [specialist: fixer]";
  setup s{plan, work};
  s.pool = {"m1"};
  s.specialists = "specialists:\n  fixer: {model: m3}\n";
  s.faults["w1"] = "[{error: server_error, probability: 1.0}]";
  write(s);
  auto resumed = run_json({"--resume", id});
  CAF_CHECK_EQUAL(str(resumed.at("status")), "done");
  CAF_CHECK_EQUAL(str(subtask(resumed, 1).at("state")), "done");
  CAF_CHECK_EQUAL(str(subtask(resumed, 1).at("output")), "ALPHA-RESULT");
  CAF_CHECK_EQUAL(str(subtask(resumed, 2).at("state")), "done");
}

CAF_TEST(a resumed run counts what the run spent before against its budget) {
  write_fixer(true);
  auto id = str(run_json({"Do two parts"}, 1).at("header").at("id"));
  write_fixer(false);
  { // the fixer is priced now, and the run's earlier process spent the whole budget
    std::ifstream in{file};
    std::string text{std::istreambuf_iterator<char>{in}, {}};
    auto at = text.find("m3: {provider: w3, model: m3}");
    CAF_REQUIRE(at != std::string::npos);
    text.replace(at, 29, "m3: {provider: w3, model: m3, price: {input: 1, output: 1}}");
    std::ofstream{file} << text;
    auto ledger = et::store::open_sqlite_ledger(dir / "state" / "ledger.sqlite");
    CAF_REQUIRE(ledger);
    et::store::stored_call spent;
    spent.run_id = id;
    spent.call.role = "polecat";
    spent.call.usd = 0.5;
    spent.call.unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    CAF_REQUIRE((*ledger)->append(spent));
  }
  auto resumed = run_json({"--resume", id, "--budget", "0.5"}, 1);
  CAF_CHECK_EQUAL(str(subtask(resumed, 2).at("state")), "failed");
  CAF_CHECK(has(str(subtask(resumed, 2).at("error")), "per_run"));
  // Without a ledger to read that from, the budget would start over: the run does not start.
  for (const char* suffix : {"", "-wal", "-shm"})
    fs::remove(dir / "state" / (std::string{"ledger.sqlite"} + suffix));
  fs::create_directories(dir / "state" / "ledger.sqlite");
  auto blind = et({"run", "--resume", id, "--budget", "0.5"});
  CAF_CHECK_NOT_EQUAL(blind.code, 0);
  CAF_CHECK(has(blind.err, "cannot tell what run " + id + " spent before"));
  // Without a budget there is nothing to hold: the run goes on, its spend not persisted.
  auto unbudgeted = run_json({"--resume", id});
  CAF_CHECK_EQUAL(str(unbudgeted.at("status")), "done");
}

CAF_TEST(an output dir that is a file is refused before the run starts) {
  write_fixer(false);
  std::ofstream{dir / "afile"} << "x";
  auto r = et({"run", "--output-dir", (dir / "afile").string(), "Do two parts"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "afile: it exists and is not a folder"));
  CAF_CHECK(!fs::exists(dir / "state" / "runs")); // no run was journaled, no model called
}

CAF_TEST(an output dir that holds et s state dir is refused before the run starts) {
  write_fixer(false);
  auto r = et({"run", "--output-dir", dir.string(), "Do two parts"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "it holds ")); // the config given with --config, and et's state dir
  CAF_CHECK(!fs::exists(dir / "state" / "runs")); // no run was journaled
}

CAF_TEST(a journal this state dir did not seal is resumed only when trusted) {
  // A runs dir in a shared repository holds journals anyone wrote: their verify command and
  // output dir are not used on the journal's word.
  write_fixer(true);
  auto first = run_json({"--output-dir", (dir / "out").string(), "Do two parts"}, 1);
  auto id = str(first.at("header").at("id"));
  write_fixer(false);
  // Another output dir, as someone else's journal would name.
  edit_journal(id, (dir / "out").string(), (dir / "elsewhere").string());
  auto refused = et({"run", "--resume", id});
  CAF_CHECK_EQUAL(refused.code, 2);
  CAF_CHECK(has(refused.err, "does not carry this state dir's seal"));
  CAF_CHECK(has(refused.err, "--trust-journal"));
  CAF_CHECK(!fs::exists(dir / "elsewhere"));
  auto trusted = run_json({"--resume", id, "--trust-journal"});
  CAF_CHECK_EQUAL(str(trusted.at("status")), "done");
  // Not for a new run.
  auto fresh = et({"run", "--trust-journal", "Do two parts"});
  CAF_CHECK_EQUAL(fresh.code, 2);
}

CAF_TEST(a journal swapped between the first read and the lock is not resumed) {
  write_fixer(true);
  auto first = run_json({"--output-dir", (dir / "out").string(), "Do two parts"}, 1);
  auto id = str(first.at("header").at("id"));
  write_fixer(false);
  // What `et run --resume` read first, checked (sealed, output dir allowed); then the file
  // changes before the lock is taken.
  auto checked = et::store::read_run(dir / "state" / "runs" / id);
  CAF_REQUIRE(checked);
  edit_journal(id, (dir / "out").string(), (dir / "elsewhere").string());
  std::ostringstream out;
  std::ostringstream err;
  et::app::context ctx{out, err, file.string()};
  auto s = et::app::load_settings(ctx);
  CAF_REQUIRE(s);
  auto code = et::app::run_pipeline(ctx, std::make_shared<et::config::settings>(*s), {},
                                    std::move(*checked));
  CAF_CHECK_EQUAL(code, 2);
  CAF_CHECK(has(err.str(), "journal changed while et read it"));
  CAF_CHECK(!fs::exists(dir / "elsewhere"));
}

CAF_TEST(a journal s criteria are bounded like the command line s) {
  write_fixer(true);
  auto id = str(run_json({"Do two parts"}, 1).at("header").at("id"));
  std::string many = "\"accept\":[";
  for (int i = 0; i < 30; ++i)
    many += (i ? ",\"c" : "\"c") + std::to_string(i) + "\"";
  edit_journal(id, "\"accept\":[]", many + "]");
  auto r = et({"run", "--resume", id, "--trust-journal"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "criteria (--accept): at most 20 criteria, got 30"));
}

CAF_TEST_FIXTURE_SCOPE_END()
