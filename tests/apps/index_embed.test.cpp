#define CAF_SUITE apps.index_embed
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <fstream>

#include "app_test.hpp"

// `context: {embed: ALIAS}`: `et index` embeds its chunks through the router (the mock
// provider's embeddings: a hashed bag of words, dimension 64), `et index --status` and
// `et context query` say which ranking is used, a model change re-embeds, and the
// configuration is validated.

namespace fs = std::filesystem;
using et::test::has;

namespace {

struct fixture : et::test::scratch_dir {
  fs::path config = dir / "et.yaml";
  fs::path project = dir / "project";

  fixture() : scratch_dir("index-embed") {
    configure("context: {embed: emb, embed_batch: 2}\n");
    write("src/ledger.cpp", "// The cost ledger records every call and its price.\n"
                            "void append_call();\n");
    write("src/router.cpp", "// The router falls back to the next deployment.\n"
                            "void fallback();\n");
    write("notes/tmux.md", "# Sessions\n\nAgents run in tmux panes.\n");
  }

  void configure(const std::string& context) {
    std::ofstream{config, std::ios::trunc}
        << "providers: {sim: {type: mock}, claude: {type: anthropic, api_key: k},\n"
        << "  off: {type: openai, base_url: \"http://127.0.0.1:1/v1\", api_key: k}}\n"
        << "models:\n  emb: {provider: sim, model: embed-a}\n"
        << "  emb2: {provider: sim, model: embed-b}\n"
        << "  down: {provider: off, model: embed-a}\n"
        << "  chat: {provider: claude, model: sonnet}\n"
        << "defaults: {state_dir: " << (dir / "state").string() << "}\n"
        << context;
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

  std::string ranking_of(const std::string& text) {
    auto r = et({"context", "query", text, "--json", "--root", project.string()});
    CAF_REQUIRE_EQUAL(r.code, 0);
    auto doc = boost::json::parse(r.out).as_object();
    return std::string{doc.at("ranking").as_string()};
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(index_embed_tests, fixture)

CAF_TEST(et index embeds the chunks and queries rank hybrid) {
  auto first = et({"index", project.string()});
  CAF_CHECK_EQUAL(first.code, 0);
  // Three chunks in batches of two: two calls.
  ET_CHECK_SAYING(has(first.err, "embedded 3 chunks with emb, dimension 64 in 2 calls: "),
                  first.err);
  ET_CHECK_SAYING(has(first.err, " tokens, $"), first.err);
  auto status = et({"index", "--status", project.string()});
  ET_CHECK_SAYING(has(status.out, "vectors: 3 of 3 chunks, emb=sim/embed-a, dimension 64\n")
                      && has(status.out, "ranking: hybrid"),
                  status.out);
  CAF_CHECK_EQUAL(ranking_of("ledger price"), "hybrid");
  auto text = et({"context", "query", "ledger price", "--root", project.string()});
  CAF_CHECK_EQUAL(text.code, 0);
  ET_CHECK_SAYING(text.out.rfind("src/ledger.cpp:1-2  ", 0) == 0, text.out);
  ET_CHECK_SAYING(has(text.err, "ranking: hybrid"), text.err);
}

CAF_TEST(re - indexing embeds only new and changed chunks) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto same = et({"index", project.string()});
  ET_CHECK_SAYING(has(same.err, "embedded 0 chunks"), same.err);
  write("src/router.cpp", "// Now about quokkas.\n");
  fs::remove(project / "notes/tmux.md");
  auto changed = et({"index", project.string()});
  ET_CHECK_SAYING(has(changed.err, "embedded 1 chunks"), changed.err);
  auto status = et({"index", "--status", project.string()});
  ET_CHECK_SAYING(has(status.out, "vectors: 2 of 2 chunks"), status.out);
}

CAF_TEST(another embedding alias re - embeds everything) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  configure("context: {embed: emb2}\n");
  // The index's vectors are of emb: a query ranks by BM25 until the index is updated.
  CAF_CHECK_EQUAL(ranking_of("ledger price"), "bm25");
  auto again = et({"index", project.string()});
  ET_CHECK_SAYING(has(again.err, "embedded 3 chunks with emb2")
                      && has(again.err, "previous vectors (another model or dimension) were "
                                        "dropped"),
                  again.err);
  auto status = et({"index", "--status", project.string()});
  ET_CHECK_SAYING(has(status.out, "vectors: 3 of 3 chunks, emb2=sim/embed-b"), status.out);
  CAF_CHECK_EQUAL(ranking_of("ledger price"), "hybrid");
}

CAF_TEST(a fallback that serves another model is refused and its vectors are not stored) {
  configure("context: {embed: down, embed_fallbacks: [emb2]}\nretry: {attempts: 1}\n");
  auto r = et({"index", project.string()});
  CAF_CHECK_NOT_EQUAL(r.code, 0);
  ET_CHECK_SAYING(has(r.err, "context.embed_fallbacks: emb2 answered with model embed-b, not "
                             "embed-a: two models' vectors do not mix"),
                  r.err);
  auto status = et({"index", "--status", project.string()});
  ET_CHECK_SAYING(has(status.out, "vectors: none\n"), status.out);
}

CAF_TEST(without context embed the index ranks by bm25) {
  configure("");
  auto first = et({"index", project.string()});
  CAF_CHECK_EQUAL(first.code, 0);
  ET_CHECK_SAYING(!has(first.err, "embedded"), first.err);
  auto status = et({"index", "--status", project.string()});
  ET_CHECK_SAYING(has(status.out, "vectors: none\n") && has(status.out, "ranking: bm25\n"),
                  status.out);
  CAF_CHECK_EQUAL(ranking_of("ledger price"), "bm25");
}

CAF_TEST(the context section is validated) {
  configure("context: {embed: nope}\n");
  auto unknown_alias = et({"index", project.string()});
  CAF_CHECK_EQUAL(unknown_alias.code, 2);
  ET_CHECK_SAYING(has(unknown_alias.err, "context.embed") && has(unknown_alias.err, "nope"),
                  unknown_alias.err);
  configure("context: {embed: chat}\n");
  auto no_endpoint = et({"index", project.string()});
  CAF_CHECK_EQUAL(no_endpoint.code, 2);
  ET_CHECK_SAYING(has(no_endpoint.err, "no embeddings endpoint"), no_endpoint.err);
  configure("context: {embed: emb, batch: 3}\n");
  auto unknown_key = et({"index", project.string()});
  CAF_CHECK_EQUAL(unknown_key.code, 2);
  ET_CHECK_SAYING(has(unknown_key.err, "batch"), unknown_key.err);
  configure("context: {embed: emb, embed_batch: 0}\n");
  auto zero = et({"index", project.string()});
  CAF_CHECK_EQUAL(zero.code, 2);
  ET_CHECK_SAYING(has(zero.err, "context.embed_batch"), zero.err);
  configure("context: {embed_fallbacks: [emb2]}\n");
  auto orphan = et({"index", project.string()});
  CAF_CHECK_EQUAL(orphan.code, 2);
  ET_CHECK_SAYING(has(orphan.err, "embed_fallbacks needs context.embed"), orphan.err);
}

CAF_TEST_FIXTURE_SCOPE_END()
