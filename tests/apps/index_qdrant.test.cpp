#define CAF_SUITE apps.index_qdrant
#include "caf/test/unit_test.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>

#include <boost/json.hpp>

#include "app_test.hpp"
#include "fake_qdrant.hpp"

// `context: {embed: ALIAS, qdrant: {...}}`: `et index` upserts the chunks' vectors (the mock
// provider's embeddings, dimension 64) into the fake Qdrant, `et context query` takes the
// vector side of its hybrid ranking from a Qdrant search, re-indexing deletes the points of
// changed and deleted files, and the section is validated.

namespace fs = std::filesystem;
using et::test::has;

namespace {

const std::string key = "qk-SECRET-e2e-0123456789";

struct fixture : et::test::scratch_dir {
  et::test::fake_qdrant qdrant{key};
  fs::path config = dir / "et.yaml";
  fs::path project = dir / "project";

  fixture() : scratch_dir("index-qdrant") {
    ::setenv("ET_TEST_QDRANT_KEY", key.c_str(), 1);
    configure(qdrant_context());
    write("src/ledger.cpp", "// The cost ledger records every call and its price.\n"
                            "void append_call();\n");
    write("src/router.cpp", "// The router falls back to the next deployment.\n"
                            "void fallback();\n");
    write("notes/tmux.md", "# Sessions\n\nAgents run in tmux panes.\n");
  }

  std::string qdrant_context() const {
    return "context: {embed: emb, embed_batch: 2, qdrant: {url: \"" + qdrant.url()
           + "\", api_key: \"${ET_TEST_QDRANT_KEY}\"}}\n";
  }

  // `more_providers` and `more_models` are lines of their sections.
  void configure(const std::string& context, const std::string& more_providers = "",
                 const std::string& more_models = "") {
    std::ofstream{config, std::ios::trunc}
        << "providers:\n  sim: {type: mock}\n"
        << more_providers << "models:\n  emb: {provider: sim, model: embed-a}\n"
        << more_models << "defaults: {state_dir: " << (dir / "state").string() << "}\n"
        << context;
  }

  // A run whose mayor plans `subtasks` (a numbered list) and whose worker echoes its prompt,
  // over the Qdrant context.
  void configure_run(const std::string& subtasks) {
    configure(qdrant_context()
                  + "roles: {mayor: {model: planner}, polecat: {model: worker, pool: [worker]}}\n"
                  + "retry: {attempts: 1}\n",
              "  boss: {type: mock, mock: {mode: script, script: [{match: plan the task below, "
              "reply: \"## Summary\\nThe parts.\\n## Subtasks\\n"
                  + subtasks + "\"}, {reply: SYNTHESIS}]}}\n",
              "  planner: {provider: boss, model: planner}\n  worker: {provider: sim, model: w}\n");
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

  std::string root() const { return fs::canonical(project).string(); }

  // The paths the collection holds points of, with how many points each.
  std::map<std::string, int> points_by_path() const {
    std::map<std::string, int> out;
    for (const auto& [id, p] : qdrant.points("et")) {
      CAF_CHECK_EQUAL(p.root, root());
      ++out[p.path];
    }
    return out;
  }

  size_t requests_to(const std::string& target) const {
    size_t n = 0;
    for (const auto& r : qdrant.requests())
      if (r.target == target)
        ++n;
    return n;
  }

  void check_secret_free(const et::test::outcome& r) {
    CAF_CHECK(!has(r.out, key) && !has(r.err, key));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(index_qdrant_tests, fixture)

CAF_TEST(et index upserts into qdrant and queries rank with its search) {
  auto first = et({"index", project.string()});
  CAF_CHECK_EQUAL(first.code, 0);
  check_secret_free(first);
  ET_CHECK_SAYING(has(first.err, "embedded 3 chunks with emb, dimension 64 in 2 calls")
                      && has(first.err, "3 points upserted"),
                  first.err);
  ET_CHECK_SAYING(!has(first.err, "replaced"), first.err); // a first push replaces nothing
  CAF_CHECK_EQUAL(qdrant.collection_size("et").value_or(0), 64u);
  auto held = points_by_path();
  CAF_CHECK_EQUAL(held.size(), 3u);
  CAF_CHECK_EQUAL(held["src/ledger.cpp"], 1);
  for (const auto& r : qdrant.requests()) {
    auto h = std::find_if(r.headers.begin(), r.headers.end(),
                          [](const auto& f) { return f.first == "api-key"; });
    CAF_CHECK(h != r.headers.end() && h->second == key);
  }
  auto status = et({"index", "--status", project.string()});
  ET_CHECK_SAYING(has(status.out, "vectors: 3 of 3 chunks in Qdrant, " + qdrant.url()
                                      + "/collections/et (emb=sim/embed-a)\n")
                      && has(status.out, "ranking: hybrid (BM25 and Qdrant cosine"),
                  status.out);

  auto searches = requests_to("/collections/et/points/search");
  auto q = et({"context", "query", "ledger price", "--json", "--root", project.string()});
  CAF_REQUIRE_EQUAL(q.code, 0);
  check_secret_free(q);
  CAF_CHECK_EQUAL(requests_to("/collections/et/points/search"), searches + 1);
  auto doc = boost::json::parse(q.out).as_object();
  CAF_CHECK_EQUAL(doc.at("ranking").as_string(), "hybrid");
  const auto& hits = doc.at("hits").as_array();
  CAF_REQUIRE(!hits.empty());
  CAF_CHECK_EQUAL(hits[0].at("path").as_string(), "src/ledger.cpp");
  auto text = et({"context", "query", "tmux panes sessions", "--root", project.string()});
  ET_CHECK_SAYING(text.out.rfind("notes/tmux.md:1-3  ", 0) == 0, text.out);
  ET_CHECK_SAYING(has(text.err, "ranking: hybrid (BM25 and Qdrant cosine"), text.err);
}

CAF_TEST(the vector side comes from qdrant and only local chunks reach the output) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  // A search answer of a chunk no query word matches (BM25 alone never lists it), and of a
  // chunk the index does not have, whose payload text must not be shown.
  auto r = root();
  qdrant.set_override([r](const et::test::seen_request& req) -> std::optional<et::test::reply> {
    if (req.target != "/collections/et/points/search")
      return std::nullopt;
    auto hit = [&](const std::string& path, const std::string& text) {
      return R"({"id":"x","score":0.9,"payload":{"root":")" + r + R"(","path":")" + path
             + R"(","start_line":1,"end_line":3,"text":")" + text + R"("}})";
    };
    return et::test::reply{}.send(et::test::http_response(
        200,
        R"({"result":[)" + hit("evil.md", "INJECTED") + "," + hit("notes/tmux.md", "whatever")
            + R"(],"status":"ok","time":0})",
        {{"Content-Type", "application/json"}}));
  });
  auto q = et({"context", "query", "ledger price", "--root", project.string()});
  CAF_CHECK_EQUAL(q.code, 0);
  ET_CHECK_SAYING(has(q.out, "notes/tmux.md:1-3") && has(q.out, "Agents run in tmux panes."),
                  q.out);
  ET_CHECK_SAYING(!has(q.out, "evil.md") && !has(q.out, "INJECTED") && !has(q.out, "whatever"),
                  q.out);
  configure("context: {embed: emb}\n"); // no qdrant: BM25 and local vectors (none here)
  auto local = et({"context", "query", "ledger price", "--root", project.string()});
  ET_CHECK_SAYING(!has(local.out, "notes/tmux.md"), local.out);
}

CAF_TEST(each subtask of a run ranks with a qdrant search too) {
  configure_run("1. Record the ledger price.\\n");
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto searches = requests_to("/collections/et/points/search");
  auto r = et({"run", "--json", "--context", project.string(), "record the ledger price"});
  ET_CHECK_SAYING(r.code == 0, r.err);
  CAF_REQUIRE_EQUAL(r.code, 0);
  ET_CHECK_SAYING(has(r.err, "[1/1] context (hybrid): src/ledger.cpp:1-2"), r.err);
  // One search for the task, one for its subtask.
  CAF_CHECK_EQUAL(requests_to("/collections/et/points/search"), searches + 2);
  CAF_CHECK(!has(r.err, key));
}

CAF_TEST(a qdrant that fails after the task s search costs one subtask search and one warning) {
  configure_run("1. Record the ledger price.\\n2. Explain the router fallback.\\n");
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto before = requests_to("/collections/et/points/search");
  // The task's search is answered; every later one fails, with the key in Qdrant's words.
  auto searched = std::make_shared<std::atomic<int>>(0);
  qdrant.set_override([searched](const et::test::seen_request& r) {
    if (r.target != "/collections/et/points/search" || ++*searched == 1)
      return std::optional<et::test::reply>{};
    return std::optional<et::test::reply>{et::test::reply{}.send(
        et::test::http_response(500, "{\"status\":{\"error\":\"down " + key + "\"}}", {}))};
  });
  auto r = et({"run", "--json", "--context", project.string(), "record the ledger price"});
  ET_CHECK_SAYING(r.code == 0, r.err);
  check_secret_free(r);
  // The task's search and the first subtask's: the second goes straight to BM25.
  CAF_CHECK_EQUAL(requests_to("/collections/et/points/search"), before + 2);
  std::string warning = "subtask context ranked by BM25 only: the index could not rank with the "
                        "subtasks' embeddings: qdrant search: HTTP 500";
  auto first = r.err.find(warning);
  ET_CHECK_SAYING(first != std::string::npos, r.err);
  CAF_CHECK_EQUAL(r.err.find(warning, first + 1), std::string::npos); // said once
  ET_CHECK_SAYING(has(r.err, "[1/2] context: src/ledger.cpp:1-2"), r.err);
  ET_CHECK_SAYING(has(r.err, "[2/2] context: src/router.cpp:1-2"), r.err);
  CAF_CHECK(!has(r.err, "] context (hybrid)"));
}

CAF_TEST(re - indexing deletes the points of changed and deleted files) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  auto same = et({"index", project.string()});
  ET_CHECK_SAYING(has(same.err, "0 points upserted, stale points of 0 files deleted"), same.err);
  auto deletes = requests_to("/collections/et/points/delete?wait=true");
  fs::remove(project / "notes/tmux.md");
  write("src/router.cpp", "// Now about quokkas.\n\n\n\nMore quokkas.\n");
  auto again = et({"index", project.string()});
  CAF_CHECK_EQUAL(again.code, 0);
  ET_CHECK_SAYING(has(again.err, "1 points upserted, stale points of 2 files deleted"), again.err);
  CAF_CHECK_EQUAL(requests_to("/collections/et/points/delete?wait=true"), deletes + 2);
  auto held = points_by_path();
  CAF_CHECK_EQUAL(held.count("notes/tmux.md"), 0u);
  CAF_CHECK_EQUAL(held["src/router.cpp"], 1);
  CAF_CHECK_EQUAL(held.size(), 2u);
  auto q = et({"context", "query", "quokkas", "--json", "--root", project.string()});
  auto doc = boost::json::parse(q.out).as_object();
  CAF_CHECK_EQUAL(doc.at("ranking").as_string(), "hybrid");
  CAF_REQUIRE(!doc.at("hits").as_array().empty());
  CAF_CHECK_EQUAL(doc.at("hits").as_array()[0].at("path").as_string(), "src/router.cpp");
  for (const auto& h : doc.at("hits").as_array())
    CAF_CHECK_NOT_EQUAL(h.at("path").as_string(), "notes/tmux.md");
}

CAF_TEST(new chunk limits replace the project s points and say so) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  CAF_CHECK_EQUAL(points_by_path().size(), 3u);
  configure("context: {embed: emb, embed_batch: 2, index: {chunk_lines: 1}, qdrant: {url: \""
            + qdrant.url() + "\", api_key: \"${ET_TEST_QDRANT_KEY}\"}}\n");
  auto deletes = requests_to("/collections/et/points/delete?wait=true");
  auto recut = et({"index", project.string()});
  CAF_CHECK_EQUAL(recut.code, 0);
  // One delete of the whole project (the new cut's ids at a file's first line are the old
  // ones: the upserts alone would hide a missing delete).
  CAF_CHECK_EQUAL(requests_to("/collections/et/points/delete?wait=true"), deletes + 1);
  ET_CHECK_SAYING(
      has(recut.err, "; new chunk limits: the project's earlier points were replaced\n"),
      recut.err);
  // A chunk a line now: the old cut's points are gone, not mixed with the new ones.
  auto held = points_by_path();
  CAF_CHECK_EQUAL(held["src/ledger.cpp"], 2);
  CAF_CHECK_EQUAL(held["notes/tmux.md"], 2);
  auto again = et({"index", project.string()});
  ET_CHECK_SAYING(has(again.err, "0 points upserted, stale points of 0 files deleted\n"),
                  again.err);
}

CAF_TEST(another collection gets the project s points and the push says where they were) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  configure("context: {embed: emb, embed_batch: 2, qdrant: {url: \"" + qdrant.url()
            + "\", api_key: \"${ET_TEST_QDRANT_KEY}\", collection: other}}\n");
  auto moved = et({"index", project.string()});
  CAF_CHECK_EQUAL(moved.code, 0);
  ET_CHECK_SAYING(has(moved.err, "3 points upserted, stale points of 0 files deleted; the index "
                                 "was pushed to "
                                     + qdrant.url()
                                     + "/collections/et (emb=sim/embed-a) before: the "
                                       "project's points here were replaced\n"),
                  moved.err);
  CAF_CHECK_EQUAL(qdrant.points("other").size(), 3u);
  check_secret_free(moved);
}

CAF_TEST(a collection of another dimension stops the index) {
  qdrant.create("et", 768);
  auto r = et({"index", project.string()});
  CAF_CHECK_EQUAL(r.code, 1);
  check_secret_free(r);
  ET_CHECK_SAYING(has(r.err, "qdrant collection \"et\" holds vectors of size 768, the embedding "
                             "model answers 64"),
                  r.err);
  CAF_CHECK(qdrant.points("et").empty());
  // The query falls back to BM25 and says why.
  auto q = et({"context", "query", "ledger", "--root", project.string()});
  CAF_CHECK_EQUAL(q.code, 0);
  ET_CHECK_SAYING(has(q.err, "ranking: bm25 (Qdrant holds no points of this index"), q.err);
}

CAF_TEST(an unreachable qdrant at query time falls back to bm25 without the key) {
  CAF_REQUIRE_EQUAL(et({"index", project.string()}).code, 0);
  qdrant.set_override([](const et::test::seen_request&) {
    return std::optional<et::test::reply>{et::test::reply{}.send(
        et::test::http_response(500, "{\"status\":{\"error\":\"down " + key + "\"}}", {}))};
  });
  auto q = et({"context", "query", "ledger price", "--root", project.string()});
  CAF_CHECK_EQUAL(q.code, 0);
  check_secret_free(q);
  ET_CHECK_SAYING(has(q.err, "ranking: bm25 (qdrant search: HTTP 500 (down ****))"), q.err);
  ET_CHECK_SAYING(q.out.rfind("src/ledger.cpp:1-2  ", 0) == 0, q.out);
}

CAF_TEST(the qdrant section is validated) {
  auto expect_error = [&](const std::string& context, const std::string& words) {
    configure(context);
    auto r = et({"index", project.string()});
    CAF_CHECK_EQUAL(r.code, 2);
    ET_CHECK_SAYING(has(r.err, words), r.err);
    check_secret_free(r);
  };
  expect_error("context: {qdrant: {url: \"http://127.0.0.1:6333\"}}\n",
               "qdrant holds embeddings: it needs context.embed");
  expect_error("context: {embed: emb, qdrant: {url: \"ftp://host/\"}}\n", "context.qdrant.url");
  expect_error("context: {embed: emb, qdrant: {collection: x}}\n", "qdrant needs a url");
  expect_error("context: {embed: emb, qdrant: {url: \"http://h:6333\", colection: x}}\n",
               "colection");
  expect_error("context: {embed: emb, qdrant: {url: \"http://h:6333\", collection: \"a/b\"}}\n",
               "context.qdrant.collection");
  expect_error("context: {embed: emb, qdrant: {url: \"http://h:6333\", api_key: "
               "\"${ET_TEST_UNSET_QDRANT}\"}}\n",
               "environment variable ET_TEST_UNSET_QDRANT is not set");
}

CAF_TEST_FIXTURE_SCOPE_END()
