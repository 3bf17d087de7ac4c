#define CAF_SUITE libet.context.index_remote
#include "caf/test/unit_test.hpp"

#include "context_test.hpp"
#include "et/context/index.hpp"

// The index's bookkeeping of a remote vector store: which chunks have a point there, which
// files' points went stale through incremental updates, a change of target, and the query
// that fuses BM25 with the store's ranking.

using namespace et::context;

namespace {

struct fixture : et::test::project_dir {
  std::unique_ptr<index_db> db;

  fixture() {
    write("a/x.md", "cache cache cache notes\n");
    write("b/y.md", "how entries leave the cache when memory runs out\n");
    write("c/z.md", "tmux panes and keystrokes\n");
    auto opened = index_db::open(index_file(state, project));
    CAF_REQUIRE(opened);
    db = std::move(*opened);
    CAF_REQUIRE(db->update(project));
    CAF_CHECK(use("store A")); // nothing was recorded before
  }

  // As the push does it: when the records are of another store, they are forgotten (after
  // the store's points were deleted) and `target` recorded. True when they were.
  bool use(const std::string& target) {
    auto changed = db->remote_changed(target);
    CAF_REQUIRE(changed);
    if (*changed)
      CAF_REQUIRE(db->forget_pushed(target));
    return *changed;
  }

  // Pushes every pending chunk; returns their paths.
  std::vector<std::string> push_all() {
    auto pending = db->chunks_to_push(100);
    CAF_REQUIRE(pending);
    std::vector<int64_t> ids;
    std::vector<std::string> out;
    for (const auto& c : *pending) {
      ids.push_back(c.id);
      out.push_back(c.path);
      CAF_CHECK_EQUAL(c.start_line, 1u);
      CAF_CHECK(!c.text.empty());
    }
    if (!ids.empty())
      CAF_REQUIRE(db->mark_pushed(ids));
    return out;
  }

  std::vector<std::string> stale() {
    auto s = db->stale_paths();
    CAF_REQUIRE(s);
    return *s;
  }
};

using paths = std::vector<std::string>;

} // namespace

CAF_TEST_FIXTURE_SCOPE(index_remote_tests, fixture)

CAF_TEST(pushed chunks are recorded and only new ones are pending) {
  CAF_CHECK_EQUAL(push_all(), (paths{"a/x.md", "b/y.md", "c/z.md"}));
  CAF_CHECK(push_all().empty());
  auto s = db->status();
  CAF_REQUIRE(s);
  CAF_CHECK_EQUAL(s->pushed, 3u);
  CAF_CHECK_EQUAL(s->remote_target, "store A");
  CAF_CHECK(!use("store A"));
}

CAF_TEST(changed and deleted files with points become stale) {
  push_all();
  CAF_CHECK(stale().empty());
  write("a/x.md", "something else entirely\n");
  remove("c/z.md");
  write("d/new.md", "a new file\n");
  CAF_REQUIRE(db->update(project));
  CAF_CHECK_EQUAL(stale(), (paths{"a/x.md", "c/z.md"}));
  CAF_CHECK_EQUAL(push_all(), (paths{"a/x.md", "d/new.md"}));
  CAF_REQUIRE(db->clear_stale("a/x.md"));
  CAF_CHECK_EQUAL(stale(), (paths{"c/z.md"}));
  // A file never pushed leaves nothing stale behind.
  remove("d/new.md");
  write("e/late.md", "late\n");
  CAF_REQUIRE(db->update(project));
  remove("e/late.md");
  CAF_REQUIRE(db->update(project));
  CAF_CHECK_EQUAL(stale(), (paths{"c/z.md", "d/new.md"}));
}

CAF_TEST(another target forgets what was pushed) {
  push_all();
  write("a/x.md", "changed\n");
  CAF_REQUIRE(db->update(project));
  // Asking writes nothing: a store that fails the delete is asked again.
  auto asked = db->remote_changed("store B");
  CAF_REQUIRE(asked);
  CAF_CHECK(*asked);
  CAF_CHECK_EQUAL(stale(), (paths{"a/x.md"}));
  CAF_CHECK(use("store B"));
  CAF_CHECK(stale().empty());
  CAF_CHECK_EQUAL(push_all().size(), 3u);
}

CAF_TEST(new chunk limits replace the project in the store rather than a file at a time) {
  push_all();
  index_limits recut;
  recut.chunks.max_lines = 1;
  auto stats = db->update(project, recut);
  CAF_REQUIRE(stats);
  CAF_CHECK(stats->recut);
  // Nothing stale one file at a time: the next push replaces the project's points as a whole.
  CAF_CHECK(stale().empty());
  // The store keeps its name (the old cut's points are still there) and asks to start over.
  auto st = db->status();
  CAF_REQUIRE(st);
  CAF_CHECK_EQUAL(st->remote_target, "store A");
  CAF_CHECK_EQUAL(st->pushed, 0u);
  auto asked = db->remote_changed("store A");
  CAF_REQUIRE(asked);
  CAF_CHECK(*asked);
  CAF_CHECK(use("store A"));
  asked = db->remote_changed("store A");
  CAF_REQUIRE(asked);
  CAF_CHECK(!*asked);
  CAF_CHECK_EQUAL(push_all().size(), 3u);
}

CAF_TEST(fused queries use the store ranking and drop unknown hits) {
  // BM25 alone ranks x.md first for "cache"; the store ranks y.md first, and also answers
  // a chunk the index does not have and a duplicate.
  auto bm25 = db->query("cache", 3);
  CAF_REQUIRE(bm25);
  CAF_REQUIRE(!bm25->empty());
  CAF_CHECK_EQUAL(bm25->front().path, "a/x.md");
  std::vector<located_hit> nearest{
      {"b/y.md", 1, 1}, {"gone.md", 1, 1}, {"b/y.md", 1, 1}, {"c/z.md", 1, 1}};
  auto fused = db->query_fused("cache", nearest, 5);
  CAF_REQUIRE(fused);
  paths got;
  for (const auto& h : *fused)
    got.push_back(h.path);
  // y.md: 1/61 (store) + 1/62 (BM25) beats x.md's 1/61 (BM25); z.md only in the store.
  CAF_CHECK_EQUAL(got, (paths{"b/y.md", "a/x.md", "c/z.md"}));
  CAF_CHECK_EQUAL(fused->front().text, "how entries leave the cache when memory runs out\n");
  auto none = db->query_fused("cache", {}, 0);
  CAF_REQUIRE(none);
  CAF_CHECK(none->empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
