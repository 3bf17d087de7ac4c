#define CAF_SUITE apps.index
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <fstream>

#include "app_test.hpp"

namespace fs = std::filesystem;

namespace {

// A project folder (no git: the walk lists it) and a configuration whose state dir is in
// the scratch folder. Commands get explicit paths, so the working directory does not matter.
struct fixture : et::test::scratch_dir {
  fs::path config = dir / "et.yaml";
  fs::path project = dir / "project";

  fixture() : scratch_dir("index-test") {
    std::ofstream{config} << "providers: {sim: {type: mock}}\n"
                          << "models: {a: {provider: sim, model: m}}\n"
                          << "defaults: {state_dir: " << (dir / "state").string() << "}\n";
    write("src/ledger.cpp", "// The cost ledger records every call and its price.\n"
                            "void append_call();\n");
    write("src/router.cpp", "// The router falls back to the next deployment.\n"
                            "void fallback();\n");
    write("notes/tmux.md", "# Sessions\n\nAgents run in tmux panes.\n");
    write("blob.bin", std::string("\0\1\2", 3));
  }

  void write(const std::string& relative, const std::string& text) {
    fs::create_directories((project / relative).parent_path());
    std::ofstream{project / relative, std::ios::binary | std::ios::trunc} << text;
  }

  et::test::outcome et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config.string());
    return et::test::run_in_process(args);
  }
};

using et::test::has;

} // namespace

CAF_TEST_FIXTURE_SCOPE(index_tests, fixture)

CAF_TEST(et index reports what it indexed and skipped then skips unchanged files) {
  auto first = et({"index", project.string()});
  CAF_CHECK_EQUAL(first.code, 0);
  ET_CHECK_SAYING(has(first.out, "3 indexed, 0 unchanged, 1 skipped, 0 removed; 3 chunks"),
                  first.out + first.err);
  auto second = et({"index", project.string()});
  CAF_CHECK_EQUAL(second.code, 0);
  ET_CHECK_SAYING(has(second.out, "0 indexed, 3 unchanged, 1 skipped, 0 removed"), second.out);
  fs::remove(project / "notes/tmux.md");
  auto third = et({"index", project.string()});
  ET_CHECK_SAYING(has(third.out, "1 removed") && has(third.out, "holds 2 files, 2 chunks"),
                  third.out);
}

CAF_TEST(et index status shows files chunks size and age) {
  auto before = et({"index", "--status", project.string()});
  CAF_CHECK_EQUAL(before.code, 0);
  ET_CHECK_SAYING(has(before.out, "none yet"), before.out);
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto after = et({"index", "--status", project.string()});
  CAF_CHECK_EQUAL(after.code, 0);
  ET_CHECK_SAYING(has(after.out, "files:   3\n") && has(after.out, "chunks:  3\n")
                      && has(after.out, "size:    ") && has(after.out, " ago)")
                      && has(after.out, (dir / "state" / "index").string()),
                  after.out);
}

CAF_TEST(context index limits skip bigger files and new chunk limits cut every file again) {
  // Over the bound about to be set, and left unchanged from here on.
  write("src/ledger.cpp", "// The cost ledger.\n// " + std::string(1100, 'x') + "\n");
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto status = et({"index", "--status", project.string()});
  ET_CHECK_SAYING(has(status.out, "limits:  files up to 1048576 B, chunks of 60 lines, 4096 B, 8 "
                                  "before a boundary\n"),
                  status.out);
  auto index_settings = [&](const std::string& index) {
    std::ofstream{config, std::ios::trunc}
        << "providers: {sim: {type: mock}}\nmodels: {a: {provider: sim, model: m}}\n"
        << "defaults: {state_dir: " << (dir / "state").string() << "}\n"
        << "context: {index: " << index << "}\n";
  };
  index_settings("{max_file_bytes: 1024, chunk_lines: 1}");
  auto waiting = et({"index", "--status", project.string()});
  ET_CHECK_SAYING(has(waiting.out, "limits:  files up to 1048576 B, chunks of 60 lines, 4096 B, 8 "
                                   "before a boundary (context.index now says chunks of 1 lines, "
                                   "4096 B, 8 before a boundary: the next `et index` cuts every "
                                   "file again)\n"),
                  waiting.out);
  auto recut = et({"index", project.string()});
  CAF_CHECK_EQUAL(recut.code, 0);
  ET_CHECK_SAYING(has(recut.err, "et index: the chunk limits (context.index) changed since the "
                                 "last update: every file was read and cut again\n"),
                  recut.err);
  // router.cpp and tmux.md at a chunk a line (tmux.md's blank line is none); the unchanged
  // ledger.cpp, now over the bound, and blob.bin skipped.
  ET_CHECK_SAYING(has(recut.out, "2 indexed, 0 unchanged, 2 skipped, 1 removed; 4 chunks"),
                  recut.out);
  auto again = et({"index", project.string()});
  CAF_CHECK(!has(again.err, "cut again"));
  ET_CHECK_SAYING(has(again.out, "0 indexed, 2 unchanged"), again.out);
  auto after = et({"index", "--status", project.string()});
  ET_CHECK_SAYING(has(after.out, "limits:  files up to 1024 B, chunks of 1 lines, 4096 B, 8 before "
                                 "a boundary\n"),
                  after.out);
  // A file bound alone: said, and applied by the next update without cutting again.
  index_settings("{chunk_lines: 1}");
  auto bound = et({"index", "--status", project.string()});
  ET_CHECK_SAYING(has(bound.out, "(context.index now says files up to 1048576 B: the next `et "
                                 "index` applies it)\n"),
                  bound.out);
}

CAF_TEST(et context query prints the best chunk first with its source and score) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto r = et({"context", "query", "ledger price of a call", "--root", project.string()});
  CAF_CHECK_EQUAL(r.code, 0);
  ET_CHECK_SAYING(r.out.rfind("src/ledger.cpp:1-2  ", 0) == 0, r.out);
}

CAF_TEST(a score near zero keeps its digits) {
  // "the" is in most files: BM25 gives it almost no weight (FTS5 floors it at 1e-6).
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto r = et({"context", "query", "the", "--root", project.string()});
  CAF_CHECK_EQUAL(r.code, 0);
  auto first = r.out.substr(0, r.out.find('\n'));
  auto score = first.substr(first.rfind(' ') + 1);
  ET_CHECK_SAYING(score.find_first_of("123456789") != std::string::npos, r.out);
  ET_CHECK_SAYING(has(r.out, "    // The cost ledger records"), r.out);
}

CAF_TEST(et context query json holds the hits and k bounds them) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto r = et({"context", "query", "the", "-k", "2", "--json", "--root", project.string()});
  CAF_REQUIRE_EQUAL(r.code, 0);
  auto doc = boost::json::parse(r.out).as_object();
  CAF_CHECK_EQUAL(doc.at("query").as_string(), "the");
  auto& hits = doc.at("hits").as_array();
  CAF_CHECK_EQUAL(hits.size(), 2u);
  auto& top = hits.at(0).as_object();
  CAF_CHECK(top.contains("path") && top.contains("start_line") && top.contains("end_line")
            && top.contains("score") && top.contains("text"));
}

CAF_TEST(bad input gets a one line error naming what was wrong) {
  auto missing = et({"index", (dir / "nope").string()});
  CAF_CHECK_EQUAL(missing.code, 2);
  ET_CHECK_SAYING(has(missing.err, "et index: not a folder: " + (dir / "nope").string()),
                  missing.err);
  auto unindexed = et({"context", "query", "ledger", "--root", project.string()});
  CAF_CHECK_EQUAL(unindexed.code, 1);
  ET_CHECK_SAYING(has(unindexed.err, "no index for " + fs::canonical(project).string()),
                  unindexed.err);
  auto root = et({"context", "query", "x", "--root", (dir / "nope").string()});
  CAF_CHECK_EQUAL(root.code, 2);
  ET_CHECK_SAYING(has(root.err, "et context query: --root: not a folder: "), root.err);
  auto empty = et({"context", "query", " -- "});
  CAF_CHECK_EQUAL(empty.code, 2);
  ET_CHECK_SAYING(has(empty.err, "TEXT has no word"), empty.err);
  auto k = et({"context", "query", "x", "-k", "0"});
  CAF_CHECK_EQUAL(k.code, 2);
  ET_CHECK_SAYING(has(k.err, "-k"), k.err);
  auto no_sub = et({"context"});
  CAF_CHECK_EQUAL(no_sub.code, 2);
}

CAF_TEST_FIXTURE_SCOPE_END()
