#define CAF_SUITE libet.context.index
#include "caf/test/unit_test.hpp"

#include <set>
#include <sqlite3.h>

#include "check_saying.hpp"
#include "context_test.hpp"
#include "et/context/index.hpp"

using namespace et::context;

namespace {

struct fixture : et::test::project_dir {
  std::unique_ptr<index_db> db;

  fixture() {
    // A small made-up corpus: each file is about one thing.
    write("src/ledger.cpp", "// The cost ledger records every call and its price in dollars.\n"
                            "void append_call(ledger& l, call c) { l.calls.push_back(c); }\n"
                            "double spent_today(const ledger& l);\n");
    write("src/router.cpp", "// The router picks a deployment and falls back on failure.\n"
                            "deployment pick(const pool& p);\n"
                            "void fallback_after(failure f);\n");
    write("docs/tmux.md", "# Sessions\n\nAgents run in tmux panes; et sends keystrokes and "
                          "reads the pane's output.\n");
    write("src/budget.cpp", "// Budgets: a per day limit in dollars, checked before a call.\n"
                            "bool crosses_limit(double limit, double spent, double next);\n");
    auto opened = index_db::open(index_file(state, project));
    CAF_REQUIRE(opened);
    db = std::move(*opened);
  }

  update_stats update() {
    auto r = db->update(project);
    CAF_REQUIRE(r);
    return *r;
  }

  // The index's counts, as a value (a member of a prvalue lives as long as the reference
  // CAF_CHECK_EQUAL binds; one reached through result's operator-> would not).
  index_status status_of() {
    auto s = db->status();
    CAF_REQUIRE(s);
    return *s;
  }

  std::vector<hit> query(const std::string& text, size_t k = 5) {
    auto r = db->query(text, k);
    CAF_REQUIRE(r);
    return *r;
  }

  // The best hit's path, "" when nothing matched.
  std::string top(const std::string& text) {
    auto hits = query(text);
    return hits.empty() ? std::string{} : hits[0].path;
  }

  // Sets the modification time of the fixture's four files.
  void date_all(std::filesystem::file_time_type when) const {
    for (const char* p : {"src/ledger.cpp", "src/router.cpp", "docs/tmux.md", "src/budget.cpp"})
      std::filesystem::last_write_time(project / p, when);
  }

  // src/router.cpp with "deployment" spelled "quokkalike": another text of the same size.
  std::string same_size_router() const {
    std::string text = read("src/router.cpp");
    for (size_t at; (at = text.find("deployment")) != std::string::npos;)
      text.replace(at, 10, "quokkalike");
    return text;
  }

  std::set<std::string> paths_for(const std::string& text) {
    std::set<std::string> out;
    for (const auto& h : query(text, 50))
      out.insert(h.path);
    return out;
  }
};

} // namespace

CAF_TEST(the linked sqlite has fts5) {
  CAF_CHECK(fts5_available());
}

CAF_TEST(user text becomes quoted fts5 terms joined with OR) {
  CAF_CHECK_EQUAL(fts_query("cost ledger"), R"("cost" OR "ledger")");
  CAF_CHECK_EQUAL(fts_query(R"(say "hi" NOT x*)"), R"("say" OR """hi""" OR "NOT" OR "x*")");
  CAF_CHECK_EQUAL(fts_query("  -- ()  "), "");
  CAF_CHECK_EQUAL(fts_query(""), "");
  std::string many;
  for (int i = 0; i < 100; ++i)
    many += "w" + std::to_string(i) + " ";
  auto q = fts_query(many);
  CAF_CHECK(q.find("\"w63\"") != std::string::npos);
  CAF_CHECK(q.find("\"w64\"") == std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE(index_tests, fixture)

CAF_TEST(the right file ranks first) {
  auto stats = update();
  CAF_CHECK_EQUAL(stats.indexed, 4u);
  CAF_CHECK_EQUAL(stats.chunks, 4u);
  auto hits = query("how does the ledger record the price of a call");
  CAF_REQUIRE(!hits.empty());
  CAF_CHECK_EQUAL(hits[0].path, "src/ledger.cpp");
  CAF_CHECK_EQUAL(hits[0].start_line, 1u);
  CAF_CHECK_EQUAL(hits[0].end_line, 3u);
  CAF_CHECK(hits[0].text.find("append_call") != std::string::npos);
  for (size_t i = 1; i < hits.size(); ++i)
    CAF_CHECK_GREATER_OR_EQUAL(hits[i - 1].score, hits[i].score);
  CAF_CHECK_EQUAL(top("tmux pane keystrokes"), "docs/tmux.md");
  CAF_CHECK_EQUAL(top("fall back to another deployment"), "src/router.cpp");
  CAF_CHECK_EQUAL(top("per day budget limit"), "src/budget.cpp");
}

CAF_TEST(k bounds the hits and no searchable word gives none) {
  update();
  CAF_CHECK_EQUAL(query("the", 2).size(), 2u);
  CAF_CHECK(query("zyzzyva").empty());
  CAF_CHECK(query("   ").empty());
  CAF_CHECK(query("ledger", 0).empty());
}

CAF_TEST(any text is a valid query) {
  update();
  for (std::string text : {"\"", "a\"b", "NEAR(ledger router)", "ledger AND", "*", "ledger:x",
                           "^router", "(((", "col:ledger", "'; DROP TABLE files; --", "ü€"})
    ET_CHECK_SAYING(db->query(text, 5), "query " << text);
  CAF_CHECK_EQUAL(top("ledger\""), "src/ledger.cpp");
}

CAF_TEST(a second update skips unchanged files) {
  update();
  auto again = update();
  CAF_CHECK_EQUAL(again.indexed, 0u);
  CAF_CHECK_EQUAL(again.unchanged, 4u);
  CAF_CHECK_EQUAL(again.chunks, 0u);
  auto s = db->status();
  CAF_REQUIRE(s);
  CAF_CHECK_EQUAL(s->files, 4u);
  CAF_CHECK_EQUAL(s->chunks, 4u);
  CAF_CHECK_EQUAL(s->root, project.string());
  CAF_CHECK_GREATER(s->bytes_on_disk, 0u);
  CAF_CHECK_GREATER(s->last_indexed_ms, 0);
}

CAF_TEST(a changed file replaces its chunks) {
  update();
  write("src/router.cpp", "// Now about quokkas.\nvoid quokka();\n");
  auto stats = update();
  CAF_CHECK_EQUAL(stats.indexed, 1u);
  CAF_CHECK_EQUAL(stats.unchanged, 3u);
  CAF_CHECK_EQUAL(top("quokka"), "src/router.cpp");
  auto hits = query("quokka"); // a value: CAF_CHECK_EQUAL keeps references to its operands
  CAF_REQUIRE(!hits.empty());
  CAF_CHECK_EQUAL(hits.at(0).end_line, 2u);
  CAF_CHECK(!paths_for("deployment").contains("src/router.cpp")); // no stale chunk
  CAF_CHECK_EQUAL(status_of().chunks, 4u);
}

CAF_TEST(a file older than its last read is known unchanged by its stamp) {
  namespace fs = std::filesystem;
  auto old = fs::file_time_type::clock::now() - std::chrono::minutes{1};
  date_all(old);
  CAF_CHECK_EQUAL(update().indexed, 4u);
  auto again = update();
  CAF_CHECK_EQUAL(again.unchanged, 4u);
  CAF_CHECK_EQUAL(again.not_read, 4u);
  // Same size, its old mtime put back (as cp -p or rsync -a would): the ctime moved, so it is
  // read again.
  write("src/router.cpp", same_size_router());
  fs::last_write_time(project / "src/router.cpp", old);
  auto rewritten = update();
  CAF_CHECK_EQUAL(rewritten.indexed, 1u);
  CAF_CHECK_EQUAL(rewritten.not_read, 3u);
  CAF_CHECK_EQUAL(top("quokkalike"), "src/router.cpp");
}

CAF_TEST(a file not 2 s older than its read is read at every update) {
  namespace fs = std::filesystem;
  // Dated a minute ahead: as young as a file written during the read, however slow this runs.
  auto ahead = fs::file_time_type::clock::now() + std::chrono::minutes{1};
  date_all(ahead);
  update();
  auto again = update();
  CAF_CHECK_EQUAL(again.unchanged, 4u);
  CAF_CHECK_EQUAL(again.not_read, 0u);
  write("src/router.cpp", same_size_router());
  fs::last_write_time(project / "src/router.cpp",
                      fs::file_time_type::clock::now() + std::chrono::minutes{1});
  CAF_CHECK_EQUAL(update().indexed, 1u);
  CAF_CHECK_EQUAL(top("quokkalike"), "src/router.cpp");
}

CAF_TEST(new limits cut every file again and a file now too big loses its chunks) {
  namespace fs = std::filesystem;
  write("src/router.cpp", read("src/router.cpp") + "// " + std::string(1100, 'p') + "\n");
  // Known unchanged by their stamps: only new limits make the update read them.
  date_all(fs::file_time_type::clock::now() - std::chrono::minutes{1});
  CAF_CHECK(!update().recut);
  CAF_CHECK_EQUAL(status_of().chunks, 4u);
  CAF_CHECK_EQUAL(status_of().chunking, "60 lines, 4096 B, 8 before a boundary");
  // A smaller file bound alone cuts nothing again; router.cpp, unchanged, is now too big.
  index_limits small;
  small.max_file_bytes = 1024; // only router.cpp is bigger
  auto bounded = db->update(project, small);
  CAF_REQUIRE(bounded);
  CAF_CHECK(!bounded->recut);
  CAF_CHECK_EQUAL(bounded->not_read, 3u);
  CAF_CHECK_EQUAL(bounded->skipped, 1u);
  CAF_CHECK_EQUAL(bounded->removed, 1u);
  CAF_CHECK(!paths_for("deployment").contains("src/router.cpp"));
  small.chunks.max_lines = 1;
  small.chunks.min_lines = 1;
  auto recut = db->update(project, small);
  CAF_REQUIRE(recut);
  CAF_CHECK(recut->recut);
  CAF_CHECK_EQUAL(recut->not_read, 0u);
  CAF_CHECK_EQUAL(recut->skipped, 1u);
  // One chunk a line: ledger.cpp's three lines and the others' lines that are not blank.
  CAF_CHECK_EQUAL(query("ledger records", 50).at(0).end_line, 1u);
  CAF_CHECK_EQUAL(status_of().chunking, "1 lines, 4096 B, 1 before a boundary");
  // The same limits again: nothing to cut.
  auto same = db->update(project, small);
  CAF_REQUIRE(same);
  CAF_CHECK(!same->recut);
  CAF_CHECK_EQUAL(same->indexed, 0u);
  // Back to the defaults: router.cpp comes back, whole files are chunks again.
  auto back = update();
  CAF_CHECK(back.recut);
  CAF_CHECK_EQUAL(back.indexed, 4u);
  CAF_CHECK_EQUAL(top("deployment"), "src/router.cpp");
  CAF_CHECK_EQUAL(status_of().chunks, 4u);
}

CAF_TEST(an index from before the stamp column gets it and keeps its files) {
  update();
  db.reset();
  sqlite3* raw = nullptr;
  auto file = index_file(state, project);
  CAF_REQUIRE_EQUAL(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  CAF_CHECK_EQUAL(
      sqlite3_exec(raw, "ALTER TABLE files DROP COLUMN stamp", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(raw);
  auto reopened = index_db::open(file);
  CAF_REQUIRE(reopened);
  db = std::move(*reopened);
  auto again = update(); // no stamps known: every file read once more, none re-chunked
  CAF_CHECK_EQUAL(again.unchanged, 4u);
  CAF_CHECK_EQUAL(again.not_read, 0u);
  CAF_CHECK_EQUAL(top("deployment"), "src/router.cpp");
}

CAF_TEST(an index made under older file rules reads every file again and drops a secret) {
  namespace fs = std::filesystem;
  date_all(fs::file_time_type::clock::now() - std::chrono::minutes{1});
  update();
  // As an et before the private key rule left it: notes.txt holds a key and is indexed, its
  // stamp known, and the index says nothing of its rules.
  write("notes.txt", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
                     "-----END OPENSSH PRIVATE KEY-----\nquokkasecret\n");
  fs::last_write_time(project / "notes.txt",
                      fs::file_time_type::clock::now() - std::chrono::minutes{1});
  CAF_REQUIRE(read_candidate(project, "notes.txt").reason == skip_reason::secret);
  auto stamp = stamp_of(project, "notes.txt");
  CAF_REQUIRE(stamp);
  db.reset();
  sqlite3* raw = nullptr;
  auto file = index_file(state, project);
  CAF_REQUIRE_EQUAL(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto sql = "INSERT INTO files (id, path, hash, size, indexed_ms, stamp) VALUES (99, "
             "'notes.txt', 'old', "
             + std::to_string(stamp->size) + ", " + std::to_string(now_ms) + ", '" + stamp->text()
             + "');"
               "INSERT INTO chunks (id, file_id, start_line, end_line) VALUES (99, 99, 1, 4);"
               "INSERT INTO chunk_text (rowid, text, path) VALUES (99, 'quokkasecret', "
               "'notes.txt');"
               "DELETE FROM meta WHERE key = 'file_rules';";
  CAF_CHECK_EQUAL(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto reopened = index_db::open(file);
  CAF_REQUIRE(reopened);
  db = std::move(*reopened);
  CAF_REQUIRE_EQUAL(top("quokkasecret"), "notes.txt");
  auto again = update();
  CAF_CHECK_EQUAL(again.not_read, 0u); // every file read again, none cut again
  CAF_CHECK_EQUAL(again.unchanged, 4u);
  CAF_CHECK_EQUAL(again.removed, 1u);
  CAF_CHECK_EQUAL(top("quokkasecret"), "");
  // The rules are recorded: the next update trusts stamps again.
  CAF_CHECK_EQUAL(update().not_read, 4u);
}

CAF_TEST(a deleted file loses its chunks) {
  update();
  remove("docs/tmux.md");
  auto stats = update();
  CAF_CHECK_EQUAL(stats.removed, 1u);
  CAF_CHECK(query("tmux keystrokes").empty());
  CAF_CHECK_EQUAL(status_of().files, 3u);
  CAF_CHECK_EQUAL(status_of().chunks, 3u);
}

CAF_TEST(a renamed file is removed under its old path and added under its new one) {
  update();
  std::filesystem::rename(project / "src/budget.cpp", project / "src/limits.cpp");
  auto stats = update();
  CAF_CHECK_EQUAL(stats.removed, 1u);
  CAF_CHECK_EQUAL(stats.indexed, 1u);
  CAF_CHECK_EQUAL(stats.unchanged, 3u);
  auto paths = paths_for("crosses_limit");
  CAF_CHECK(paths.contains("src/limits.cpp"));
  CAF_CHECK(!paths.contains("src/budget.cpp"));
  CAF_CHECK_EQUAL(status_of().files, 4u);
}

CAF_TEST(a file that becomes binary or too big loses its chunks and counts as skipped) {
  update();
  write("src/router.cpp", std::string("router\0binary", 13));
  auto stats = update();
  CAF_CHECK_EQUAL(stats.skipped, 1u);
  CAF_CHECK_EQUAL(stats.removed, 1u);
  CAF_CHECK(!paths_for("router").contains("src/router.cpp"));
}

CAF_TEST(the path is searchable too) {
  write("src/quux_parser.cpp", "int f();\n");
  update();
  CAF_CHECK_EQUAL(top("quux"), "src/quux_parser.cpp");
}

CAF_TEST(an index refuses a different root) {
  update();
  auto other = dir / "other";
  std::filesystem::create_directories(other);
  auto r = db->update(other);
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().message.find("belongs to") != std::string::npos);
}

CAF_TEST(the index file is per root and private) {
  auto a = index_file(state, project);
  CAF_CHECK_EQUAL(a, index_file(state, project));
  CAF_CHECK_NOT_EQUAL(a, index_file(state, dir / "other"));
  CAF_CHECK_EQUAL(a.parent_path(), state / "index");
  auto perms = std::filesystem::status(a).permissions();
  CAF_CHECK((perms & std::filesystem::perms::group_all) == std::filesystem::perms::none);
  CAF_CHECK((perms & std::filesystem::perms::others_all) == std::filesystem::perms::none);
}

CAF_TEST_FIXTURE_SCOPE_END()
