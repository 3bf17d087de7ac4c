// The index's bookkeeping of a remote vector store (Qdrant): which chunks have a point there,
// which files' points are stale, and the query that fuses BM25 with the store's ranking.

#include <algorithm>
#include <sqlite3.h>

#include "et/context/index.hpp"
#include "et/store/detail/sqlite.hpp"

namespace et::context {

using store::detail::statement;

result<void> index_db::remote_status(index_status& s) const {
  auto target = meta("remote_target");
  if (!target)
    return target.error();
  s.remote_target = *target;
  statement st{db_, "SELECT COUNT(*) FROM remote_points"};
  if (!st.ok() || st.step() != SQLITE_ROW)
    return error("count pushed chunks");
  s.pushed = static_cast<size_t>(st.integer(0));
  return {};
}

result<bool> index_db::remote_changed(const std::string& target) const {
  auto current = meta("remote_target");
  if (!current)
    return current.error();
  auto recut = meta("remote_recut");
  if (!recut)
    return recut.error();
  return *current != target || !recut->empty();
}

result<void> index_db::forget_pushed(const std::string& target) {
  if (auto r = start_remote_over(); !r)
    return r;
  if (auto r = set_meta("remote_recut", ""); !r)
    return r;
  return set_meta("remote_target", target);
}

result<void> index_db::start_remote_over() {
  if (auto r = exec("DELETE FROM remote_points; DELETE FROM remote_stale", "forget pushed"); !r)
    return r;
  // The target stays: its store still holds the old cut's points until the next push.
  return set_meta("remote_recut", "1");
}

result<std::vector<std::string>> index_db::stale_paths() const {
  std::vector<std::string> out;
  statement st{db_, "SELECT path FROM remote_stale ORDER BY path"};
  if (!st.ok())
    return error("prepare stale files");
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back(st.text(0));
  if (rc != SQLITE_DONE)
    return error("stale files");
  return out;
}

result<void> index_db::clear_stale(const std::string& path) {
  statement st{db_, "DELETE FROM remote_stale WHERE path = ?"};
  if (!st.ok())
    return error("prepare stale files");
  st.bind(1, path);
  if (st.step() != SQLITE_DONE)
    return error("clear a stale file");
  return {};
}

result<std::vector<remote_chunk>> index_db::chunks_to_push(size_t limit) const {
  std::vector<remote_chunk> out;
  statement st{db_, "SELECT c.id, f.path, c.start_line, c.end_line, t.text FROM chunks c "
                    "JOIN files f ON f.id = c.file_id JOIN chunk_text t ON t.rowid = c.id "
                    "WHERE c.id NOT IN (SELECT chunk_id FROM remote_points) ORDER BY c.id LIMIT ?"};
  if (!st.ok())
    return error("prepare chunks to push");
  st.bind(1, static_cast<int64_t>(limit));
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({st.integer(0), st.text(1), static_cast<size_t>(st.integer(2)),
                   static_cast<size_t>(st.integer(3)), st.text(4)});
  if (rc != SQLITE_DONE)
    return error("chunks to push");
  return out;
}

result<void> index_db::mark_pushed(const std::vector<int64_t>& ids) {
  if (auto r = exec("BEGIN IMMEDIATE", "begin marking pushed chunks"); !r)
    return r;
  auto body = [&]() -> result<void> {
    statement add{db_, "INSERT OR IGNORE INTO remote_points (chunk_id) VALUES (?)"};
    if (!add.ok())
      return error("prepare pushed chunks");
    for (auto id : ids) {
      add.reset();
      add.bind(1, id);
      if (add.step() != SQLITE_DONE)
        return error("mark a pushed chunk");
    }
    return {};
  };
  auto r = body();
  if (r)
    r = exec("COMMIT", "commit pushed chunks");
  if (!r)
    exec("ROLLBACK", "rollback");
  return r;
}

result<std::vector<hit>> index_db::query_fused(std::string_view text,
                                               const std::vector<located_hit>& nearest,
                                               size_t k) const {
  if (k == 0)
    return std::vector<hit>{};
  auto depth = std::max<size_t>(50, 5 * k);
  auto lexical = bm25_ids(text, depth);
  if (!lexical)
    return lexical.error();
  statement find{db_, "SELECT c.id FROM chunks c JOIN files f ON f.id = c.file_id "
                      "WHERE f.path = ? AND c.start_line = ? AND c.end_line = ?"};
  if (!find.ok())
    return error("prepare a located hit");
  std::vector<int64_t> semantic;
  for (const auto& h : nearest) {
    if (semantic.size() >= depth)
      break;
    find.reset();
    find.bind(1, h.path);
    find.bind(2, static_cast<int64_t>(h.start_line));
    find.bind(3, static_cast<int64_t>(h.end_line));
    auto rc = find.step();
    if (rc == SQLITE_ROW) {
      auto id = find.integer(0);
      if (std::find(semantic.begin(), semantic.end(), id) == semantic.end())
        semantic.push_back(id); // a store answering a point twice ranks it once
    } else if (rc != SQLITE_DONE) {
      return error("a located hit");
    }
  }
  return fuse(*lexical, semantic, k);
}

} // namespace et::context
