#include <charconv>
#include <sqlite3.h>

#include "et/config/trust.hpp"
#include "et/context/index.hpp"
#include "et/store/detail/sqlite.hpp"

namespace et::context {

namespace fs = std::filesystem;
using store::detail::statement;

namespace {

constexpr size_t max_query_words = 64;

// A word FTS5's unicode61 tokenizer finds a token in: an ASCII letter or digit, or any
// non-ASCII byte (letters of other scripts). A word of punctuation only would be an empty
// phrase.
bool searchable(std::string_view word) {
  for (unsigned char c : word)
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80)
      return true;
  return false;
}

} // namespace

std::string fts_query(std::string_view text) {
  std::string out;
  size_t words = 0;
  size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (i < text.size() && words < max_query_words) {
    while (i < text.size() && space(text[i]))
      ++i;
    auto start = i;
    while (i < text.size() && !space(text[i]))
      ++i;
    auto word = text.substr(start, i - start);
    if (word.empty() || !searchable(word))
      continue;
    if (!out.empty())
      out += " OR ";
    out += '"';
    for (char c : word) {
      if (c == '"')
        out += '"';
      out += c;
    }
    out += '"';
    ++words;
  }
  return out;
}

bool fts5_available() {
  sqlite3* db = nullptr;
  bool ok = sqlite3_open(":memory:", &db) == SQLITE_OK
            && sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x)", nullptr, nullptr, nullptr)
                   == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

fs::path index_file(const fs::path& state_dir, const fs::path& root) {
  return state_dir / "index" / (config::sha256_hex(root.string()).substr(0, 16) + ".sqlite");
}

result<std::vector<hit>> index_db::query(std::string_view text, size_t k) const {
  std::vector<hit> out;
  auto match = fts_query(text);
  if (match.empty() || k == 0)
    return out;
  // bm25() is lower for better matches; the path column weighs half as much as the text.
  statement st{db_, "SELECT f.path, c.start_line, c.end_line, -s.rank, s.text FROM "
                    "(SELECT rowid AS id, text, bm25(chunk_text, 1.0, 0.5) AS rank "
                    " FROM chunk_text WHERE chunk_text MATCH ?1 ORDER BY rank LIMIT ?2) AS s "
                    "JOIN chunks c ON c.id = s.id JOIN files f ON f.id = c.file_id "
                    "ORDER BY s.rank, f.path, c.start_line"};
  if (!st.ok())
    return error("prepare query");
  st.bind(1, match);
  st.bind(2, static_cast<int64_t>(k));
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({st.text(0), static_cast<size_t>(st.integer(1)),
                   static_cast<size_t>(st.integer(2)), st.real(3), st.text(4)});
  if (rc != SQLITE_DONE)
    return error("query");
  return out;
}

result<index_status> index_db::status() const {
  index_status s;
  auto root = meta("root");
  if (!root)
    return root.error();
  s.root = *root;
  auto chunking = meta("chunking");
  if (!chunking)
    return chunking.error();
  // An index from before the limits were recorded was cut with the defaults.
  s.chunking = chunking->empty() ? chunk_limits{}.text() : *chunking;
  auto bound = meta("max_file_bytes");
  if (!bound)
    return bound.error();
  s.max_file_bytes = max_file_bytes;
  std::from_chars(bound->data(), bound->data() + bound->size(), s.max_file_bytes);
  auto last = meta("last_indexed_ms");
  if (!last)
    return last.error();
  std::from_chars(last->data(), last->data() + last->size(), s.last_indexed_ms);
  statement st{db_, "SELECT (SELECT COUNT(*) FROM files), (SELECT COUNT(*) FROM chunks)"};
  if (!st.ok() || st.step() != SQLITE_ROW)
    return error("count");
  s.files = static_cast<size_t>(st.integer(0));
  s.chunks = static_cast<size_t>(st.integer(1));
  if (auto v = vector_status(s); !v)
    return v.error();
  if (auto v = remote_status(s); !v)
    return v.error();
  std::error_code ec;
  for (const char* suffix : {"", "-wal"}) {
    auto size = fs::file_size(fs::path{file_} += suffix, ec);
    if (!ec)
      s.bytes_on_disk += size;
  }
  return s;
}

} // namespace et::context
