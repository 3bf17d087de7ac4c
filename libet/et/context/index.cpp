#include "et/context/index.hpp"

#include <chrono>
#include <map>
#include <set>

#include "et/config/trust.hpp"
#include "et/context/files.hpp"
#include "et/store/detail/sqlite.hpp"

namespace et::context {

namespace fs = std::filesystem;
using store::detail::statement;

namespace {

// chunks holds the line ranges; chunk_text, an FTS5 table whose rowid is the chunk's id,
// holds the text and the path (so words of a file's name match too).
constexpr const char* schema = R"(
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
  id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, hash TEXT NOT NULL,
  size INTEGER NOT NULL, indexed_ms INTEGER NOT NULL, stamp TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files(id),
  start_line INTEGER NOT NULL, end_line INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_file ON chunks(file_id);
CREATE TABLE IF NOT EXISTS vectors (
  chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id), data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS remote_points (chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id));
CREATE TABLE IF NOT EXISTS remote_stale (path TEXT PRIMARY KEY);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_text USING fts5(text, path, tokenize = 'unicode61');
)";

// A file is known unchanged by its stamp (size, mtime, ctime, inode) when its mtime is at
// least this much older than when it was read: a write in the same timestamp tick as the read
// (coarse file system clocks) would leave the stamp as it was. A write always sets the mtime to
// the present, so a file dated older than that is not being written to; younger files are read
// and hashed, as git does.
constexpr int64_t racy_ns = 2'000'000'000;

// What the index holds of a file.
struct known_file {
  int64_t id = 0;
  std::string hash;
  std::string stamp; // file_stamp::text() when it was read; "" for not known
  int64_t indexed_ms = 0;
};

bool unchanged_by_stamp(const known_file& k, const std::optional<file_stamp>& now) {
  return now && !k.stamp.empty() && now->text() == k.stamp
         && now->mtime_ns < k.indexed_ms * 1'000'000 - racy_ns;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace

index_db::~index_db() {
  sqlite3_close(db_);
}

failure index_db::error(const std::string& what) const {
  return make_failure(errc::io_error,
                      "index " + file_.string() + ": " + what + ": " + sqlite3_errmsg(db_));
}

result<void> index_db::exec(const char* sql, const char* what) const {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return error(what);
  return {};
}

result<std::string> index_db::meta(const char* key) const {
  statement st{db_, "SELECT value FROM meta WHERE key = ?"};
  if (!st.ok())
    return error("prepare meta");
  st.bind(1, std::string_view{key});
  auto rc = st.step();
  if (rc == SQLITE_ROW)
    return st.text(0);
  if (rc != SQLITE_DONE)
    return error("meta");
  return std::string{};
}

result<void> index_db::set_meta(const char* key, const std::string& value) {
  statement st{db_, "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value"};
  if (!st.ok())
    return error("prepare meta");
  st.bind(1, std::string_view{key});
  st.bind(2, value);
  if (st.step() != SQLITE_DONE)
    return error("meta");
  return {};
}

result<bool> index_db::has_stamp_column() const {
  statement has{db_, "SELECT COUNT(*) FROM pragma_table_info('files') WHERE name = 'stamp'"};
  if (!has.ok() || has.step() != SQLITE_ROW)
    return error("look for files.stamp");
  return has.integer(0) > 0;
}

// Indexes made before files.stamp get it ('': not known, so each file is read once more).
// Looked for again inside one write transaction: two processes may open an old index at once.
result<void> index_db::add_stamp_column() {
  auto has = has_stamp_column();
  if (!has || *has)
    return has ? result<void>{} : has.error();
  if (auto r = exec("BEGIN IMMEDIATE", "begin adding files.stamp"); !r)
    return r;
  has = has_stamp_column();
  result<void> added = has ? result<void>{} : has.error();
  if (added && !*has)
    added = exec("ALTER TABLE files ADD COLUMN stamp TEXT NOT NULL DEFAULT ''", "add files.stamp");
  if (added)
    added = exec("COMMIT", "commit files.stamp");
  if (!added)
    exec("ROLLBACK", "roll back files.stamp");
  return added;
}

result<std::unique_ptr<index_db>> index_db::open(const fs::path& file) {
  if (!fts5_available())
    return make_failure(errc::unsupported,
                        "this SQLite has no FTS5: the retrieval index cannot be built");
  // Private like the ledger: the chunks are the project's code.
  auto opened = store::detail::open_private_database(file, "index");
  if (!opened)
    return opened.error();
  sqlite3* db = *opened;
  std::unique_ptr<index_db> out{new index_db(db, file)};
  if (auto r = out->exec(schema, "cannot set up"); !r)
    return r.error();
  if (auto r = out->add_stamp_column(); !r)
    return r.error();
  return out;
}

result<update_stats> index_db::update(const fs::path& given, const index_limits& limits) {
  std::error_code ec;
  auto root = fs::canonical(given, ec);
  if (ec || !fs::is_directory(root, ec))
    return make_failure(errc::io_error, "not a folder: " + given.string());
  auto files = list_files(root);
  if (!files)
    return files.error();
  if (auto r = exec("BEGIN IMMEDIATE", "begin update"); !r)
    return r.error();
  auto body = [&]() -> result<update_stats> {
    // Read under the write lock: another update may have committed since the listing.
    auto recorded = meta("root");
    if (!recorded)
      return recorded.error();
    if (!recorded->empty() && *recorded != root.string())
      return make_failure(errc::invalid_input, "index " + file_.string() + " belongs to "
                                                   + *recorded + ", not " + root.string());
    auto cut_with = meta("chunking");
    if (!cut_with)
      return cut_with.error();
    // An index from before the limits were recorded was cut with the defaults.
    bool recut = (cut_with->empty() ? chunk_limits{}.text() : *cut_with) != limits.chunks.text();
    auto rules = meta("file_rules");
    if (!rules)
      return rules.error();
    bool reread = *rules != file_rules_version; // what it holds was let in by other rules
    std::map<std::string, known_file> known;    // by path
    {
      statement st{db_, "SELECT id, path, hash, stamp, indexed_ms FROM files"};
      if (!st.ok())
        return error("prepare files");
      int rc = 0;
      while ((rc = st.step()) == SQLITE_ROW)
        known[st.text(1)] = {st.integer(0), st.text(2), st.text(3), st.integer(4)};
      if (rc != SQLITE_DONE)
        return error("files");
    }
    statement drop_text{db_, "DELETE FROM chunk_text WHERE rowid IN "
                             "(SELECT id FROM chunks WHERE file_id = ?)"};
    statement drop_vectors{db_, "DELETE FROM vectors WHERE chunk_id IN "
                                "(SELECT id FROM chunks WHERE file_id = ?)"};
    // A file with points in a remote store leaves its path behind: those points are deleted
    // (by filter on the path) before the next push.
    statement mark_stale{db_, "INSERT OR IGNORE INTO remote_stale (path) SELECT path FROM files "
                              "WHERE id = ?1 AND EXISTS (SELECT 1 FROM remote_points p JOIN "
                              "chunks c ON c.id = p.chunk_id WHERE c.file_id = ?1)"};
    statement drop_pushed{db_, "DELETE FROM remote_points WHERE chunk_id IN "
                               "(SELECT id FROM chunks WHERE file_id = ?)"};
    statement drop_chunks{db_, "DELETE FROM chunks WHERE file_id = ?"};
    statement drop_file{db_, "DELETE FROM files WHERE id = ?"};
    statement add_file{db_, "INSERT INTO files (path, hash, size, indexed_ms, stamp) VALUES "
                            "(?,?,?,?,?)"};
    statement restamp{db_, "UPDATE files SET stamp = ?, indexed_ms = ? WHERE id = ?"};
    statement add_chunk{db_, "INSERT INTO chunks (file_id, start_line, end_line) VALUES (?,?,?)"};
    statement add_text{db_, "INSERT INTO chunk_text (rowid, text, path) VALUES (?,?,?)"};
    for (auto* st : {&drop_text, &drop_vectors, &mark_stale, &drop_pushed, &drop_chunks, &drop_file,
                     &add_file, &restamp, &add_chunk, &add_text})
      if (!st->ok())
        return error("prepare update");
    auto run = [&](statement& st, int64_t id) {
      st.reset();
      st.bind(1, id);
      return st.step() == SQLITE_DONE;
    };
    // A file's chunks, their vectors and its row go together: a changed file is removed, then added
    // anew.
    auto forget = [&](int64_t id) {
      return run(drop_text, id) && run(drop_vectors, id) && run(mark_stale, id)
             && run(drop_pushed, id) && run(drop_chunks, id) && run(drop_file, id);
    };
    update_stats stats;
    stats.recut = recut && !known.empty();
    std::set<std::string> present;
    int64_t now = now_ms();
    for (const auto& path : *files) {
      // Stamped before the read: a write during it leaves a newer mtime for the next update.
      auto stamp = stamp_of(root, path);
      auto old = known.find(path);
      // A file known by its stamp is taken as it was unless new limits must cut it again, new
      // rules must judge it again, or its size is now over the bound.
      if (!recut && !reread && old != known.end() && unchanged_by_stamp(old->second, stamp)
          && static_cast<uintmax_t>(stamp->size) <= limits.max_file_bytes) {
        present.insert(path);
        ++stats.unchanged;
        ++stats.not_read;
        continue;
      }
      auto read = read_candidate(root, path, limits.max_file_bytes);
      if (read.reason != skip_reason::none) {
        if (read.reason != skip_reason::missing)
          ++stats.skipped;
        continue; // not present: chunks it had are dropped below
      }
      present.insert(path);
      auto hash = config::sha256_hex(read.bytes);
      // "" when the stat failed: then the next update reads it again.
      auto taken = stamp ? stamp->text() : std::string{};
      if (old != known.end()) {
        if (old->second.hash == hash && !recut) {
          ++stats.unchanged;
          restamp.reset();
          restamp.bind(1, taken);
          restamp.bind(2, now);
          restamp.bind(3, old->second.id);
          if (restamp.step() != SQLITE_DONE)
            return error("stamp " + path);
          continue;
        }
        if (!forget(old->second.id))
          return error("drop " + path);
      }
      add_file.reset();
      add_file.bind(1, path);
      add_file.bind(2, hash);
      add_file.bind(3, static_cast<int64_t>(read.bytes.size()));
      add_file.bind(4, now);
      add_file.bind(5, taken);
      if (add_file.step() != SQLITE_DONE)
        return error("add " + path);
      int64_t file_id = sqlite3_last_insert_rowid(db_);
      for (const auto& c : chunk_text(path, read.bytes, limits.chunks)) {
        add_chunk.reset();
        add_chunk.bind(1, file_id);
        add_chunk.bind(2, static_cast<int64_t>(c.start_line));
        add_chunk.bind(3, static_cast<int64_t>(c.end_line));
        if (add_chunk.step() != SQLITE_DONE)
          return error("add a chunk of " + path);
        add_text.reset();
        add_text.bind(1, static_cast<int64_t>(sqlite3_last_insert_rowid(db_)));
        add_text.bind(2, c.text);
        add_text.bind(3, path);
        if (add_text.step() != SQLITE_DONE)
          return error("add the text of " + path);
        ++stats.chunks;
      }
      ++stats.indexed;
    }
    for (const auto& [path, entry] : known)
      if (!present.contains(path)) {
        if (!forget(entry.id))
          return error("drop " + path);
        ++stats.removed;
      }
    if (auto r = set_meta("root", root.string()); !r)
      return r.error();
    if (auto r = set_meta("last_indexed_ms", std::to_string(now_ms())); !r)
      return r.error();
    if (auto r = set_meta("chunking", limits.chunks.text()); !r)
      return r.error();
    if (auto r = set_meta("file_rules", std::string{file_rules_version}); !r)
      return r.error();
    if (auto r = set_meta("max_file_bytes", std::to_string(limits.max_file_bytes)); !r)
      return r.error();
    // Every file was forgotten and marked stale in a remote store: one replacement of the
    // project's points at the next push is cheaper than a delete per file.
    if (stats.recut)
      if (auto r = start_remote_over(); !r)
        return r.error();
    return stats;
  };
  auto stats = body();
  if (stats)
    if (auto r = exec("COMMIT", "commit update"); !r)
      stats = r.error();
  if (!stats)
    exec("ROLLBACK", "rollback");
  return stats;
}

} // namespace et::context
