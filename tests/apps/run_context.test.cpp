#define CAF_SUITE apps.run_context
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <fstream>

#include "app_test.hpp"

// `et run --context`: the mayor plans with chunks retrieved from `et index`, and each
// worker gets the chunks retrieved for its subtask. The mocks answer one way when a word
// only the indexed file holds is in their prompt, another otherwise, so the run's summary
// and the subtask's output tell which prompts they got.

namespace fs = std::filesystem;
namespace json = boost::json;
using et::test::has;

namespace {

struct fixture : et::test::scratch_dir {
  fs::path config = dir / "et.yaml";
  fs::path project = dir / "project";

  fixture() : scratch_dir("run-context") {
    fs::create_directories(project / "src");
    std::ofstream{project / "src" / "zoo.cpp"} << "// Feeding the quokka: QUOKKAMARK\n"
                                                  "void feed_quokka();\n";
    std::ofstream{project / "src" / "other.cpp"} << "// Unrelated: parsing numbers.\n";
    auto plan = [](const std::string& summary) {
      return "\"## Summary\\n" + summary
             + "\\n## Subtasks\\n1. Feed the quokka its alpha part.\\n\"";
    };
    std::ofstream{config}
        << "providers:\n"
        << "  boss: {type: mock, mock: {mode: script, script: [{match: quokkamark, reply: "
        << plan("Planned with the context.")
        << "}, {match: plan the task below, reply: " << plan("Planned without context.")
        << "}, {reply: SYNTHESIS}]}}\n"
        << "  w1: {type: mock, mock: {mode: script, script: [{match: quokkamark, reply: "
           "WORKER-WITH-CONTEXT}, {reply: WORKER-WITHOUT-CONTEXT}]}}\n"
        << "  sim: {type: mock}\n"
        << "models:\n  planner: {provider: boss, model: planner}\n"
        << "  emb: {provider: sim, model: embed-a}\n"
        << "  m1: {provider: w1, model: m1}\n"
        << "roles:\n  mayor: {model: planner}\n  polecat: {model: m1, pool: [m1]}\n"
        << "retry: {attempts: 1}\ndefaults: {state_dir: " << (dir / "state").string() << "}\n";
  }

  et::test::outcome et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config.string());
    return et::test::run_in_process(args);
  }

  // The `started` event of the run's journal.
  json::object started(const std::string& id) {
    std::ifstream in{dir / "state" / "runs" / id / "journal.jsonl"};
    std::string line;
    std::getline(in, line);
    return json::parse(line).as_object();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_context_tests, fixture)

CAF_TEST(the mayor plans with the retrieved chunk and the journal keeps its source) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto r = et({"run", "--json", "--context", project.string(), "feed the quokka"});
  CAF_REQUIRE_EQUAL(r.code, 0);
  ET_CHECK_SAYING(has(r.err, "context: ") && has(r.err, "src/zoo.cpp:1-2"), r.err);
  auto run = json::parse(r.out).as_object();
  CAF_CHECK_EQUAL(run.at("summary").as_string(), "Planned with the context.");
  auto head = started(std::string{run.at("header").as_object().at("id").as_string()});
  auto context = std::string{head.at("context").as_string()};
  ET_CHECK_SAYING(has(context, " src/zoo.cpp:1-2>>>\n// Feeding the quokka: QUOKKAMARK\n"),
                  context);
  CAF_CHECK_EQUAL(head.at("task").as_string(), "feed the quokka");
}

CAF_TEST(each worker gets the chunks retrieved for its subtask and the run keeps their sources) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto r = et({"run", "--json", "--context", project.string(), "feed the quokka"});
  CAF_REQUIRE_EQUAL(r.code, 0);
  auto run = json::parse(r.out).as_object();
  auto sub = run.at("subtasks").as_array().at(0).as_object();
  CAF_CHECK_EQUAL(sub.at("output").as_string(), "WORKER-WITH-CONTEXT");
  auto sources = sub.at("context").as_array();
  CAF_REQUIRE(!sources.empty());
  CAF_CHECK_EQUAL(sources.at(0).as_string(), "src/zoo.cpp:1-2");
  ET_CHECK_SAYING(has(r.err, "[1/1] context: src/zoo.cpp:1-2"), r.err);
  // The journal keeps which chunks went to which subtask.
  auto id = std::string{run.at("header").as_object().at("id").as_string()};
  auto runs = et({"runs", "show", id, "--json"});
  CAF_REQUIRE_EQUAL(runs.code, 0);
  ET_CHECK_SAYING(has(runs.out, "src/zoo.cpp:1-2"), runs.out);
}

CAF_TEST(with an embedding model each subtask ranks hybrid like the task) {
  std::ofstream{config, std::ios::app} << "context: {embed: emb}\n";
  auto indexed = et({"index", project.string()});
  CAF_REQUIRE_EQUAL(indexed.code, 0);
  ET_CHECK_SAYING(has(indexed.err, "embedded 2 chunks with emb"), indexed.err);
  auto r = et({"run", "--json", "--context", project.string(), "feed the quokka"});
  CAF_REQUIRE_EQUAL(r.code, 0);
  ET_CHECK_SAYING(has(r.err, " (hybrid): "), r.err);
  ET_CHECK_SAYING(has(r.err, "[1/1] context (hybrid): src/zoo.cpp:1-2"), r.err);
  CAF_CHECK(!has(r.err, "BM25 only"));
  auto run = json::parse(r.out).as_object();
  auto sub = run.at("subtasks").as_array().at(0).as_object();
  CAF_CHECK_EQUAL(sub.at("output").as_string(), "WORKER-WITH-CONTEXT");
}

CAF_TEST(context off leaves the mayor prompt as it was) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto r = et({"run", "--json", "--context", "off", "feed the quokka"});
  CAF_REQUIRE_EQUAL(r.code, 0);
  auto run = json::parse(r.out).as_object();
  CAF_CHECK_EQUAL(run.at("summary").as_string(), "Planned without context.");
  auto sub = run.at("subtasks").as_array().at(0).as_object();
  CAF_CHECK_EQUAL(sub.at("output").as_string(), "WORKER-WITHOUT-CONTEXT");
  CAF_CHECK(sub.at("context").as_array().empty());
}

CAF_TEST(a context folder without an index is refused before the run starts) {
  auto r = et({"run", "--context", project.string(), "feed the quokka"});
  CAF_CHECK_EQUAL(r.code, 1);
  ET_CHECK_SAYING(has(r.err, "et run: --context: no index for"), r.err);
  auto missing = et({"run", "--context", (dir / "nope").string(), "feed the quokka"});
  CAF_CHECK_EQUAL(missing.code, 2);
  ET_CHECK_SAYING(has(missing.err, "et run: --context: not a folder: "), missing.err);
  CAF_CHECK(!fs::exists(dir / "state" / "runs"));
}

CAF_TEST_FIXTURE_SCOPE_END()
