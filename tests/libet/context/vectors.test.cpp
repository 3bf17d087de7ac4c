#define CAF_SUITE libet.context.vectors
#include "caf/test/unit_test.hpp"

#include <map>
#include <sqlite3.h>

#include "context_test.hpp"
#include "et/context/index.hpp"

// The index's vectors: stored per chunk under one model and one dimension, kept or dropped
// by the incremental rules, and fused with BM25 by reciprocal rank fusion.

using namespace et::context;

namespace {

struct fixture : et::test::project_dir {
  std::unique_ptr<index_db> db;
  // The test's "model": a vector per file, chosen by hand.
  std::map<std::string, std::vector<float>> by_path;

  fixture() {
    // "cache" is said three times in x.md, once in y.md; y.md is the one about eviction.
    write("a/x.md", "cache cache cache notes\n");
    write("b/y.md", "how entries leave the cache when memory runs out\n");
    write("c/z.md", "tmux panes and keystrokes\n");
    write("d/w.md", "budgets per day in dollars\n");
    by_path = {{"a/x.md", {0, 1, 0}},
               {"b/y.md", {1, 0, 0}},
               {"c/z.md", {0.7f, 0.7f, 0}},
               {"d/w.md", {0, 0, 1}}};
    auto opened = index_db::open(index_file(state, project));
    CAF_REQUIRE(opened);
    db = std::move(*opened);
    CAF_REQUIRE(db->update(project));
  }

  index_status status_of() {
    auto s = db->status();
    CAF_REQUIRE(s);
    return *s;
  }

  // Embeds every chunk that has no vector; returns how many were embedded.
  size_t embed_pending() {
    auto pending = db->chunks_to_embed(100);
    CAF_REQUIRE(pending);
    std::vector<int64_t> ids;
    std::vector<std::vector<float>> vectors;
    for (const auto& c : *pending) {
      ids.push_back(c.id);
      vectors.push_back(by_path.at(c.path));
    }
    if (!ids.empty())
      CAF_REQUIRE(db->store_vectors(ids, vectors));
    return ids.size();
  }

  std::vector<std::string> paths(const std::vector<hit>& hits) {
    std::vector<std::string> out;
    for (const auto& h : hits)
      out.push_back(h.path);
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(vector_tests, fixture)

CAF_TEST(the right file ranks first only with vectors) {
  CAF_REQUIRE(db->use_embed_model("test=p/m"));
  CAF_CHECK_EQUAL(embed_pending(), 4u);
  // BM25 alone: the file that repeats the word wins; the right one is second.
  auto lexical = db->query("cache", 5);
  CAF_REQUIRE(lexical);
  auto lexical_paths = paths(*lexical);
  CAF_REQUIRE_EQUAL(lexical_paths.size(), 2u);
  CAF_CHECK_EQUAL(lexical_paths[0], "a/x.md");
  CAF_CHECK_EQUAL(lexical_paths[1], "b/y.md");
  // Fused with a query vector near y.md's: y.md is first (cosine 1st + BM25 2nd beats
  // cosine 3rd + BM25 1st), and z.md, which BM25 never found, comes in by its vector.
  auto fused = db->query_hybrid("cache", {0.9f, 0.1f, 0}, 5);
  CAF_REQUIRE(fused);
  auto fused_paths = paths(*fused);
  CAF_REQUIRE_EQUAL(fused_paths.size(), 4u);
  CAF_CHECK_EQUAL(fused_paths[0], "b/y.md");
  CAF_CHECK_EQUAL(fused_paths[1], "a/x.md");
  CAF_CHECK_EQUAL(fused_paths[2], "c/z.md");
  auto first = fused->at(0).score;
  auto second = fused->at(1).score;
  CAF_CHECK_GREATER(first, second);
  auto k1 = db->query_hybrid("cache", {0.9f, 0.1f, 0}, 1);
  CAF_REQUIRE(k1);
  CAF_CHECK_EQUAL(k1->size(), 1u);
}

CAF_TEST(a query vector of another dimension is refused) {
  CAF_REQUIRE(db->use_embed_model("test=p/m"));
  embed_pending();
  auto r = db->query_hybrid("cache", {1, 0}, 5);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, et::errc::invalid_input);
}

CAF_TEST(status counts vectors and their model and dimension) {
  CAF_CHECK_EQUAL(status_of().embedded, 0u);
  CAF_CHECK_EQUAL(status_of().dimension, 0u);
  CAF_REQUIRE(db->use_embed_model("test=p/m"));
  embed_pending();
  CAF_CHECK_EQUAL(status_of().embedded, 4u);
  CAF_CHECK_EQUAL(status_of().dimension, 3u);
  CAF_CHECK_EQUAL(status_of().embed_model, "test=p/m");
}

CAF_TEST(re - indexing keeps unchanged vectors and replaces or removes the others) {
  CAF_REQUIRE(db->use_embed_model("test=p/m"));
  embed_pending();
  write("a/x.md", "a different text now\n");
  remove("d/w.md");
  CAF_REQUIRE(db->update(project));
  CAF_CHECK_EQUAL(status_of().embedded, 2u); // y and z kept; x changed, w deleted
  auto pending = db->chunks_to_embed(100);
  CAF_REQUIRE(pending);
  CAF_REQUIRE_EQUAL(pending->size(), 1u);
  CAF_CHECK_EQUAL(pending->at(0).path, "a/x.md");
  CAF_CHECK_EQUAL(embed_pending(), 1u);
  CAF_CHECK_EQUAL(status_of().embedded, 3u);
  // Nothing changed: nothing to embed.
  CAF_REQUIRE(db->update(project));
  CAF_CHECK_EQUAL(embed_pending(), 0u);
  CAF_CHECK_EQUAL(status_of().embedded, 3u);
}

CAF_TEST(another model drops every vector instead of mixing them) {
  auto first = db->use_embed_model("small=oa/text-embedding-3-small");
  CAF_REQUIRE(first);
  embed_pending();
  auto same = db->use_embed_model("small=oa/text-embedding-3-small");
  CAF_REQUIRE(same);
  CAF_CHECK(!*same);
  CAF_CHECK_EQUAL(status_of().embedded, 4u);
  auto other = db->use_embed_model("nomic=ol/nomic-embed-text");
  CAF_REQUIRE(other);
  CAF_CHECK(*other);
  CAF_CHECK_EQUAL(status_of().embedded, 0u);
  CAF_CHECK_EQUAL(status_of().dimension, 0u);
  CAF_CHECK_EQUAL(status_of().embed_model, "nomic=ol/nomic-embed-text");
  auto pending = db->chunks_to_embed(100);
  CAF_REQUIRE(pending);
  CAF_CHECK_EQUAL(pending->size(), 4u);
}

CAF_TEST(a vector of another dimension stores nothing of its batch) {
  CAF_REQUIRE(db->use_embed_model("test=p/m"));
  auto pending = db->chunks_to_embed(2);
  CAF_REQUIRE(pending);
  CAF_REQUIRE_EQUAL(pending->size(), 2u);
  CAF_REQUIRE(db->store_vectors({pending->at(0).id}, {{1, 0, 0}}));
  auto mixed = db->store_vectors({pending->at(1).id}, {{1, 0, 0, 0}});
  CAF_REQUIRE(!mixed);
  CAF_CHECK_EQUAL(mixed.error().code, et::errc::invalid_input);
  CAF_CHECK_EQUAL(status_of().embedded, 1u);
  CAF_CHECK(!db->store_vectors({pending->at(1).id}, {{1, NAN, 0}}));
  CAF_CHECK(!db->store_vectors({pending->at(1).id}, {}));
  CAF_CHECK_EQUAL(status_of().embedded, 1u);
}

// The on-disk format is fixed, not the CPU's: an index written on amd64 and read on a
// big-endian ppc64 (a copied or shared state dir) ranks the same. Fails on ppc64 when the
// floats are stored in the CPU's own byte order (`make cross-test ARCH=ppc64`).
CAF_TEST(vectors are stored as little - endian floats on every CPU) {
  CAF_REQUIRE(db->use_embed_model("test=p/m"));
  by_path["b/y.md"] = {1.0f, -2.5f, 0};
  CAF_REQUIRE_EQUAL(embed_pending(), 4u);
  sqlite3* raw = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open_v2(index_file(state, project).c_str(), &raw,
                                    SQLITE_OPEN_READONLY, nullptr),
                    SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_prepare_v2(raw,
                                       "SELECT v.data FROM vectors v JOIN chunks c ON c.id = "
                                       "v.chunk_id JOIN files f ON f.id = c.file_id "
                                       "WHERE f.path = 'b/y.md'",
                                       -1, &st, nullptr),
                    SQLITE_OK);
  CAF_REQUIRE_EQUAL(sqlite3_step(st), SQLITE_ROW);
  auto p = static_cast<const unsigned char*>(sqlite3_column_blob(st, 0));
  std::vector<unsigned char> got(p, p + sqlite3_column_bytes(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(raw);
  // 1.0f = 0x3f800000, -2.5f = 0xc0200000, 0.0f, least significant byte first.
  std::vector<unsigned char> want{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0, 0, 0, 0, 0};
  CAF_CHECK(got == want);
  auto hits = db->query_hybrid("entries", {1.0f, -2.5f, 0}, 1);
  CAF_REQUIRE(hits);
  CAF_CHECK_EQUAL(paths(*hits), std::vector<std::string>{"b/y.md"});
}

CAF_TEST_FIXTURE_SCOPE_END()
