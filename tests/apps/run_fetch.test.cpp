#define CAF_SUITE apps.run_fetch
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <fstream>

#include "app_test.hpp"
#include "loopback_server.hpp"

// `et run --fetch URL`: the mayor plans with the page's text under its URL, and `et context
// query --fetch URL` shows the page's chunks as the run ranks them. The mayor's mock
// answers one plan when a word only the page holds is in its prompt, another otherwise. The
// page is served on loopback, so it is fetched only with context.fetch.allow_private on.

namespace fs = std::filesystem;
namespace json = boost::json;
using et::test::has;
using et::test::reply;
using et::test::seen_request;

namespace {

struct fixture : et::test::scratch_dir {
  fs::path config = dir / "et.yaml";
  et::test::loopback_server server{[](const seen_request& r) {
    if (r.target == "/pdf")
      return reply{}.send(
          et::test::http_response(200, "%PDF", {{"Content-Type", "application/pdf"}}));
    return reply{}.send(et::test::http_response(
        200,
        "<html><head><title>Airships</title><script>SCRIPTMARK()</script></head><body>"
        "<h1>Mooring</h1><p>Tie the ZEPPELINMARK line &amp; wait.</p></body></html>",
        {{"Content-Type", "text/html"}}));
  }};
  std::string url = server.url() + "/guide";

  fixture() : scratch_dir("run-fetch") { write_config(true); }

  void write_config(bool allow_private) {
    auto plan = [](const std::string& summary) {
      return "\"## Summary\\n" + summary + "\\n## Subtasks\\n1. Handle the alpha part.\\n\"";
    };
    std::ofstream{config, std::ios::trunc}
        << "providers:\n"
        << "  boss: {type: mock, mock: {mode: script, script: [{match: zeppelinmark, reply: "
        << plan("Planned with the page.")
        << "}, {match: plan the task below, reply: " << plan("Planned without the page.")
        << "}, {reply: SYNTHESIS}]}}\n"
        << "  w1: {type: mock, mock: {mode: fixed, text: ALPHA-RESULT}}\n"
        << "models:\n  planner: {provider: boss, model: planner}\n"
        << "  m1: {provider: w1, model: m1}\n"
        << "roles:\n  mayor: {model: planner}\n  polecat: {model: m1, pool: [m1]}\n"
        << "retry: {attempts: 1}\ndefaults: {state_dir: " << (dir / "state").string() << "}\n"
        << "context: {fetch: {allow_private: " << (allow_private ? "true" : "false")
        << ", timeout: 10s}}\n";
  }

  et::test::outcome et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config.string());
    return et::test::run_in_process(args);
  }

  // A project of one indexed file, for `et context query`.
  fs::path indexed_project() {
    auto project = dir / "project";
    fs::create_directories(project / "src");
    std::ofstream{project / "src/dock.cpp"} << "// Mooring lines hold the airship.\nvoid moor();\n";
    CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
    return project;
  }

  json::object started(const std::string& id) {
    std::ifstream in{dir / "state" / "runs" / id / "journal.jsonl"};
    std::string line;
    std::getline(in, line);
    return json::parse(line).as_object();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_fetch_tests, fixture)

CAF_TEST(the mayor plans with the page text under its url) {
  auto r = et({"run", "--json", "--context", "off", "--fetch", url, "moor the airship"});
  CAF_REQUIRE_EQUAL(r.code, 0);
  ET_CHECK_SAYING(has(r.err, "context: 1 excerpts from 1 page: " + url + ":1-3"), r.err);
  auto run = json::parse(r.out).as_object();
  CAF_CHECK_EQUAL(run.at("summary").as_string(), "Planned with the page.");
  auto head = started(std::string{run.at("header").as_object().at("id").as_string()});
  auto context = std::string{head.at("context").as_string()};
  ET_CHECK_SAYING(has(context, " " + url + ":1-3>>>\nMooring\n\nTie the ZEPPELINMARK line & wait."),
                  context);
  CAF_CHECK(!has(context, "SCRIPTMARK"));
  CAF_CHECK_EQUAL(server.requests().size(), 1u);
}

CAF_TEST(the same url is refused without allow_private and no run starts) {
  write_config(false);
  auto r = et({"run", "--context", "off", "--fetch", url, "moor the airship"});
  CAF_CHECK_EQUAL(r.code, 1);
  ET_CHECK_SAYING(has(r.err, "et run: --fetch " + url
                                 + ": refused: 127.0.0.1 resolves to a "
                                   "loopback address"),
                  r.err);
  CAF_CHECK(!fs::exists(dir / "state" / "runs"));
  CAF_CHECK_EQUAL(server.requests().size(), 0u);
}

CAF_TEST(bad urls and types are one line errors without credentials) {
  auto creds = et({"run", "--fetch", "http://user:hunter2@" + url.substr(7), "moor"});
  CAF_CHECK_EQUAL(creds.code, 1);
  CAF_CHECK(!has(creds.err, "hunter2"));
  ET_CHECK_SAYING(has(creds.err, "et run: --fetch " + url + ": credentials in a URL are refused\n"),
                  creds.err);
  auto pdf = et({"run", "--fetch", server.url() + "/pdf", "moor"});
  CAF_CHECK_EQUAL(pdf.code, 1);
  ET_CHECK_SAYING(has(pdf.err, "content type application/pdf is not fetched"), pdf.err);
  auto ftp = et({"run", "--fetch", "ftp://example.com/x", "moor"});
  CAF_CHECK_EQUAL(ftp.code, 1);
  ET_CHECK_SAYING(has(ftp.err, "et run: --fetch ftp://example.com/x: only http and https"),
                  ftp.err);
  CAF_CHECK(!fs::exists(dir / "state" / "runs"));
}

CAF_TEST(context query ranks the page chunks after the index hits) {
  auto project = indexed_project();
  auto r = et({"context", "query", "mooring line", "--root", project.string(), "--fetch", url});
  ET_CHECK_SAYING(r.code == 0, r.err);
  ET_CHECK_SAYING(r.out.rfind("src/dock.cpp:1-2  ", 0) == 0, r.out);
  auto page = r.out.find("\n" + url + ":1-3  ");
  ET_CHECK_SAYING(page != std::string::npos, r.out);
  CAF_CHECK(has(r.out.substr(page), "    Tie the ZEPPELINMARK line & wait."));
  CAF_CHECK(!has(r.out, "SCRIPTMARK"));
  ET_CHECK_SAYING(has(r.err, "pages: BM25 over the fetched pages' own chunks (`et run --fetch` "
                             "gives the mayor the best 6, up to 8 KiB)"),
                  r.err);
  // --json: the pages beside the hits, each under its url.
  auto j = et(
      {"context", "query", "mooring line", "--json", "--root", project.string(), "--fetch", url});
  CAF_REQUIRE_EQUAL(j.code, 0);
  auto doc = json::parse(j.out).as_object();
  CAF_CHECK_EQUAL(doc.at("hits").as_array().at(0).at("path").as_string(), "src/dock.cpp");
  const auto& pages = doc.at("pages").as_array();
  CAF_REQUIRE_EQUAL(pages.size(), 1u);
  CAF_CHECK_EQUAL(pages[0].at("url").as_string(), url);
  CAF_CHECK(has(std::string{pages[0].at("text").as_string()}, "ZEPPELINMARK"));
  // Without --fetch the document is as it was.
  auto plain = et({"context", "query", "mooring", "--json", "--root", project.string()});
  CAF_CHECK(!json::parse(plain.out).as_object().contains("pages"));
}

CAF_TEST(context query stops at a page it may not fetch and prints no hit) {
  auto project = indexed_project();
  auto pdf = et({"context", "query", "mooring", "--root", project.string(), "--fetch",
                 server.url() + "/pdf"});
  CAF_CHECK_EQUAL(pdf.code, 1);
  ET_CHECK_SAYING(has(pdf.err, "et context query: --fetch " + server.url()
                                   + "/pdf: content type application/pdf is not fetched"),
                  pdf.err);
  CAF_CHECK_EQUAL(pdf.out, "");
  write_config(false);
  auto loopback = et({"context", "query", "mooring", "--root", project.string(), "--fetch", url});
  CAF_CHECK_EQUAL(loopback.code, 1);
  ET_CHECK_SAYING(has(loopback.err, "et context query: --fetch " + url
                                        + ": refused: 127.0.0.1 resolves to a loopback address"),
                  loopback.err);
  CAF_CHECK_EQUAL(server.requests().size(), 1u); // the PDF's
}

CAF_TEST_FIXTURE_SCOPE_END()
