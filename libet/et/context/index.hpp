#pragma once
/// The retrieval index of one project: an SQLite database in the state dir holding the
/// project's chunks in an FTS5 table, ranked by BM25. Updated incrementally: a file whose
/// content hash is unchanged is not re-chunked, a changed file's chunks are replaced, a file
/// that is gone (deleted, renamed, now ignored or skipped) loses its chunks.
///
/// Calls block on disk: use from a command or a detached actor, never a scheduler thread.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "et/context/chunk.hpp"
#include "et/context/files.hpp"
#include "et/util/result.hpp"

struct sqlite3;

namespace et::context {

/// What an update reads and how it cuts it (`context.index` in the config).
struct index_limits {
  uintmax_t max_file_bytes = context::max_file_bytes; ///< larger files are skipped
  chunk_limits chunks;                                ///< how a file is cut
};

/// What one update did.
struct update_stats {
  size_t indexed = 0;   ///< files new or changed, (re)chunked
  size_t unchanged = 0; ///< files whose content hash matched: left as they were
  size_t not_read = 0;  ///< of those, known by size and mtime alone (older than 2 s when read)
  size_t skipped = 0;   ///< candidates not read: binary, oversized, not a regular file
  size_t removed = 0;   ///< files that had chunks and no longer do
  size_t chunks = 0;    ///< chunks written by this update
  bool recut = false;   ///< the chunk limits changed: every file was read and cut again
};

/// The index as it stands.
struct index_status {
  std::string root;             ///< the project root it indexes ("" before the first update)
  size_t files = 0;             ///< files with chunks
  size_t chunks = 0;            ///< chunks
  uintmax_t bytes_on_disk = 0;  ///< the database and its write-ahead log
  int64_t last_indexed_ms = 0;  ///< when the last update finished (Unix ms), 0 if never
  std::string chunking;         ///< chunk_limits::text() of the limits its chunks were cut with
  uintmax_t max_file_bytes = 0; ///< the file bound of the last update (the default before one)
  size_t embedded = 0;          ///< chunks with a vector
  std::string embed_model;      ///< what made the vectors ("" = none: BM25 only)
  size_t dimension = 0;         ///< their dimension (0 = none yet)
  size_t pushed = 0;            ///< chunks whose point is in a remote vector store
  std::string remote_target;    ///< what holds those points ("" = none)
};

/// A chunk to send to a remote vector store, with its place in the project.
struct remote_chunk {
  int64_t id = 0;        ///< the chunk's id
  std::string path;      ///< its file, relative to the root
  size_t start_line = 0; ///< first line, 1-based
  size_t end_line = 0;   ///< last line, inclusive
  std::string text;      ///< the chunk
};

/// A hit of a remote vector store, located by file and lines.
struct located_hit {
  std::string path;      ///< relative to the root
  size_t start_line = 0; ///< first line
  size_t end_line = 0;   ///< last line
};

/// A chunk that has no vector yet.
struct pending_chunk {
  int64_t id = 0;   ///< the chunk's id
  std::string path; ///< its file, relative to the root
  std::string text; ///< the chunk
};

/// One query result.
struct hit {
  std::string path;      ///< relative to the project root
  size_t start_line = 0; ///< first line, 1-based
  size_t end_line = 0;   ///< last line, inclusive
  double score = 0;      ///< BM25 relevance, or the fused score of a hybrid query; higher is better
  std::string text;      ///< the chunk
};

/// An open index database.
class index_db {
public:
  /// Opens (creating it, its folder 0700 and the file 0600, as needed) the index at `file`.
  /// Fails with errc::unsupported when this SQLite has no FTS5.
  static result<std::unique_ptr<index_db>> open(const std::filesystem::path& file);
  ~index_db();
  index_db(const index_db&) = delete;
  index_db& operator=(const index_db&) = delete;

  /// Brings the index up to date with the files under `root` (list_files) in one
  /// transaction, under `limits`. When the chunk limits differ from the last update's,
  /// every file is read and cut again (its vectors go with its chunks; the project's
  /// points in a remote store are replaced as a whole at the next push). A file over
  /// max_file_bytes loses its chunks, changed or not; one under it that was skipped gains
  /// them. Fails with invalid_input when the database indexes another root.
  result<update_stats> update(const std::filesystem::path& root, const index_limits& limits = {});

  /// The `k` chunks that best match `text` (any text: it is quoted for FTS5, see
  /// fts_query), best first. No searchable word: no hits.
  result<std::vector<hit>> query(std::string_view text, size_t k) const;

  /// The `k` chunks that best match by reciprocal rank fusion of BM25 (on `text`) and
  /// cosine similarity (of `vector` against the stored vectors): each chunk scores the sum
  /// of 1 / (60 + rank) over the two rankings it appears in (their top max(50, 5k) each).
  /// `vector` must have the stored dimension (invalid_input otherwise).
  result<std::vector<hit>> query_hybrid(std::string_view text, const std::vector<float>& vector,
                                        size_t k) const;

  /// Files, chunks, size and age of the index, and its vectors.
  result<index_status> status() const;

  /// Keeps the stored vectors only when they were made by `model` (an identity such as
  /// "alias=provider/model"); otherwise drops them all and records `model`, so vectors
  /// of two models are never mixed. Returns true when vectors were dropped.
  result<bool> use_embed_model(const std::string& model);

  /// Drops every vector (a model answered with another dimension) and records `model`.
  result<void> reset_vectors(const std::string& model);

  /// Up to `limit` chunks without a vector, in id order.
  result<std::vector<pending_chunk>> chunks_to_embed(size_t limit) const;

  /// Stores vector i for chunk ids[i]. Every vector of the index has one dimension: the
  /// first stored sets it, and a vector of another dimension (or an empty or non-finite
  /// one) fails with invalid_input, storing nothing of the batch.
  result<void> store_vectors(const std::vector<int64_t>& ids,
                             const std::vector<std::vector<float>>& vectors);

  // A remote vector store (Qdrant) holds the vectors instead of the vectors table: the
  // index records which chunks have a point there and which files' points are stale
  // (the file changed or went away since they were pushed). remote.cpp.

  /// True when the pushed-chunk records are not of `target` (store, collection and embedding
  /// model) or new chunk limits cut the files anew since the last push: the caller then deletes
  /// every point of the project in the store, and calls forget_pushed(target) once that delete
  /// succeeded. Writes nothing, so a store that fails the delete is asked again next time.
  result<bool> remote_changed(const std::string& target) const;

  /// Forgets the pushed-chunk records and the stale files, records `target` as the store and
  /// ends a start_remote_over().
  result<void> forget_pushed(const std::string& target);

  /// Forgets the pushed-chunk records and the stale files after new chunk limits, keeping the
  /// store's name (its points are still there): remote_changed() is then true for any target
  /// until forget_pushed().
  result<void> start_remote_over();

  /// Files whose points must be deleted from the store before new ones are pushed.
  result<std::vector<std::string>> stale_paths() const;

  /// Records that the points of `path` were deleted from the store.
  result<void> clear_stale(const std::string& path);

  /// Up to `limit` chunks without a point in the store, in id order.
  result<std::vector<remote_chunk>> chunks_to_push(size_t limit) const;

  /// Records that chunks `ids` have their point in the store.
  result<void> mark_pushed(const std::vector<int64_t>& ids);

  /// The `k` chunks that best match by reciprocal rank fusion of BM25 (on `text`) and the
  /// store's ranking `nearest` (best first), as query_hybrid. A hit of `nearest` that is not a
  /// chunk of this index (stale, or a server's invention) is dropped: the text of every hit
  /// comes from the index, never from the store.
  result<std::vector<hit>> query_fused(std::string_view text,
                                       const std::vector<located_hit>& nearest, size_t k) const;

private:
  index_db(sqlite3* db, std::filesystem::path file) : db_(db), file_(std::move(file)) {}
  failure error(const std::string& what) const;
  result<void> exec(const char* sql, const char* what) const;
  result<std::string> meta(const char* key) const;
  result<void> set_meta(const char* key, const std::string& value);
  result<bool> has_stamp_column() const;
  result<void> add_stamp_column();
  result<void> vector_status(index_status& s) const; // vectors.cpp
  result<std::vector<int64_t>> bm25_ids(std::string_view text, size_t n) const;
  result<std::vector<int64_t>> nearest_ids(const std::vector<float>& vector, size_t n) const;
  result<hit> hit_of(int64_t chunk_id, double score) const;
  result<std::vector<hit>> fuse(const std::vector<int64_t>& lexical,
                                const std::vector<int64_t>& semantic, size_t k) const;
  result<void> remote_status(index_status& s) const; // remote.cpp

  sqlite3* db_;
  std::filesystem::path file_;
};

/// The index database of project `root` in `state_dir`: index/<first 16 hex digits of the
/// SHA-256 of the canonical root>.sqlite.
std::filesystem::path index_file(const std::filesystem::path& state_dir,
                                 const std::filesystem::path& root);

/// `text` as an FTS5 query any input is valid as: each whitespace-separated word with a
/// letter or digit in it becomes a quoted string (inner quotes doubled), joined with OR so a
/// chunk matching more words ranks higher; at most 64 words. "" when no word qualifies.
std::string fts_query(std::string_view text);

/// Whether the SQLite this build links has FTS5.
bool fts5_available();

} // namespace et::context
