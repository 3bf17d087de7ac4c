// The index's vectors: one per chunk, all of one dimension, made by one model (recorded in
// meta), and the hybrid query that fuses BM25 and cosine rankings.

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <map>
#include <sqlite3.h>

#include "et/context/index.hpp"
#include "et/store/detail/sqlite.hpp"

namespace et::context {

using store::detail::statement;

namespace {

// Reciprocal rank fusion's constant (Cormack et al.): damps the weight of the top ranks.
constexpr double rrf_k = 60;

size_t to_size(const std::string& s) {
  size_t n = 0;
  std::from_chars(s.data(), s.data() + s.size(), n);
  return n;
}

// A vector's bytes in the index: IEEE 754 floats, little-endian whatever the CPU, so an
// index written on amd64 reads the same on a big-endian ppc64 (a copied or shared state dir).
std::string vector_bytes(const std::vector<float>& v) {
  std::string out(v.size() * 4, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    auto bits = std::bit_cast<uint32_t>(v[i]);
    for (size_t b = 0; b < 4; ++b)
      out[i * 4 + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
  }
  return out;
}

// The inverse of vector_bytes: `bytes` holds exactly out.size() floats.
void read_vector(std::string_view bytes, std::vector<float>& out) {
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t bits = 0;
    for (size_t b = 0; b < 4; ++b)
      bits |= uint32_t{static_cast<uint8_t>(bytes[i * 4 + b])} << (8 * b);
    out[i] = std::bit_cast<float>(bits);
  }
}

double norm(const float* v, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i)
    s += double(v[i]) * v[i];
  return std::sqrt(s);
}

} // namespace

result<void> index_db::vector_status(index_status& s) const {
  auto model = meta("embed_model");
  if (!model)
    return model.error();
  s.embed_model = *model;
  auto dim = meta("embed_dim");
  if (!dim)
    return dim.error();
  s.dimension = to_size(*dim);
  statement st{db_, "SELECT COUNT(*) FROM vectors"};
  if (!st.ok() || st.step() != SQLITE_ROW)
    return error("count vectors");
  s.embedded = static_cast<size_t>(st.integer(0));
  return {};
}

result<void> index_db::reset_vectors(const std::string& model) {
  if (auto r = exec("DELETE FROM vectors", "drop vectors"); !r)
    return r;
  if (auto r = set_meta("embed_dim", ""); !r)
    return r;
  return set_meta("embed_model", model);
}

result<bool> index_db::use_embed_model(const std::string& model) {
  auto current = meta("embed_model");
  if (!current)
    return current.error();
  if (*current == model)
    return false;
  if (auto r = reset_vectors(model); !r)
    return r.error();
  return true;
}

result<std::vector<pending_chunk>> index_db::chunks_to_embed(size_t limit) const {
  std::vector<pending_chunk> out;
  statement st{db_, "SELECT c.id, f.path, t.text FROM chunks c JOIN files f ON f.id = c.file_id "
                    "JOIN chunk_text t ON t.rowid = c.id "
                    "WHERE c.id NOT IN (SELECT chunk_id FROM vectors) ORDER BY c.id LIMIT ?"};
  if (!st.ok())
    return error("prepare chunks to embed");
  st.bind(1, static_cast<int64_t>(limit));
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({st.integer(0), st.text(1), st.text(2)});
  if (rc != SQLITE_DONE)
    return error("chunks to embed");
  return out;
}

result<void> index_db::store_vectors(const std::vector<int64_t>& ids,
                                     const std::vector<std::vector<float>>& vectors) {
  if (ids.size() != vectors.size())
    return make_failure(errc::invalid_input, "index: " + std::to_string(vectors.size())
                                                 + " vectors for " + std::to_string(ids.size())
                                                 + " chunks");
  auto stored = meta("embed_dim");
  if (!stored)
    return stored.error();
  size_t dim = to_size(*stored);
  for (const auto& v : vectors) {
    if (v.empty() || (dim != 0 && v.size() != dim))
      return make_failure(errc::invalid_input,
                          "index: a vector of dimension " + std::to_string(v.size())
                              + " where the index holds dimension " + std::to_string(dim));
    for (float x : v)
      if (!std::isfinite(x))
        return make_failure(errc::invalid_input, "index: a vector with a non-finite component");
    dim = v.size();
  }
  if (auto r = exec("BEGIN IMMEDIATE", "begin storing vectors"); !r)
    return r;
  auto body = [&]() -> result<void> {
    statement add{db_, "INSERT OR REPLACE INTO vectors (chunk_id, data) VALUES (?, ?)"};
    if (!add.ok())
      return error("prepare vectors");
    for (size_t i = 0; i < ids.size(); ++i) {
      add.reset();
      add.bind(1, ids[i]);
      auto bytes = vector_bytes(vectors[i]);
      add.bind_blob(2, bytes.data(), bytes.size());
      if (add.step() != SQLITE_DONE)
        return error("store a vector");
    }
    return set_meta("embed_dim", std::to_string(dim));
  };
  auto r = body();
  if (r)
    r = exec("COMMIT", "commit vectors");
  if (!r)
    exec("ROLLBACK", "rollback");
  return r;
}

result<std::vector<int64_t>> index_db::bm25_ids(std::string_view text, size_t n) const {
  std::vector<int64_t> out;
  auto match = fts_query(text);
  if (match.empty())
    return out;
  statement st{db_, "SELECT rowid FROM chunk_text WHERE chunk_text MATCH ?1 "
                    "ORDER BY bm25(chunk_text, 1.0, 0.5), rowid LIMIT ?2"};
  if (!st.ok())
    return error("prepare query");
  st.bind(1, match);
  st.bind(2, static_cast<int64_t>(n));
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back(st.integer(0));
  if (rc != SQLITE_DONE)
    return error("query");
  return out;
}

result<std::vector<int64_t>> index_db::nearest_ids(const std::vector<float>& vector,
                                                   size_t n) const {
  double qn = norm(vector.data(), vector.size());
  std::vector<std::pair<double, int64_t>> scored; // (-cosine, id): ascending is best first
  statement st{db_, "SELECT chunk_id, data FROM vectors"};
  if (!st.ok())
    return error("prepare vectors");
  int rc = 0;
  std::vector<float> v(vector.size());
  while ((rc = st.step()) == SQLITE_ROW) {
    auto bytes = st.blob(1);
    if (bytes.size() != vector.size() * 4)
      continue; // not of this dimension: never ranked
    read_vector(bytes, v);
    double dot = 0;
    for (size_t i = 0; i < v.size(); ++i)
      dot += double(v[i]) * vector[i];
    double vn = norm(v.data(), v.size());
    double cosine = qn > 0 && vn > 0 ? dot / (qn * vn) : 0;
    scored.emplace_back(-cosine, st.integer(0));
  }
  if (rc != SQLITE_DONE)
    return error("vectors");
  auto take = std::min(n, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + take, scored.end());
  std::vector<int64_t> out;
  for (size_t i = 0; i < take; ++i)
    out.push_back(scored[i].second);
  return out;
}

result<hit> index_db::hit_of(int64_t chunk_id, double score) const {
  statement st{db_, "SELECT f.path, c.start_line, c.end_line, t.text FROM chunks c "
                    "JOIN files f ON f.id = c.file_id JOIN chunk_text t ON t.rowid = c.id "
                    "WHERE c.id = ?"};
  if (!st.ok())
    return error("prepare hit");
  st.bind(1, chunk_id);
  if (st.step() != SQLITE_ROW)
    return error("hit");
  return hit{st.text(0), static_cast<size_t>(st.integer(1)), static_cast<size_t>(st.integer(2)),
             score, st.text(3)};
}

result<std::vector<hit>> index_db::query_hybrid(std::string_view text,
                                                const std::vector<float>& vector, size_t k) const {
  std::vector<hit> out;
  if (k == 0)
    return out;
  index_status s;
  if (auto r = vector_status(s); !r)
    return r.error();
  if (s.dimension == 0 || vector.size() != s.dimension)
    return make_failure(errc::invalid_input,
                        "index: a query vector of dimension " + std::to_string(vector.size())
                            + " where the index holds dimension " + std::to_string(s.dimension));
  auto depth = std::max<size_t>(50, 5 * k);
  auto lexical = bm25_ids(text, depth);
  if (!lexical)
    return lexical.error();
  auto semantic = nearest_ids(vector, depth);
  if (!semantic)
    return semantic.error();
  return fuse(*lexical, *semantic, k);
}

result<std::vector<hit>> index_db::fuse(const std::vector<int64_t>& lexical,
                                        const std::vector<int64_t>& semantic, size_t k) const {
  std::vector<hit> out;
  std::map<int64_t, double> fused;
  for (size_t i = 0; i < lexical.size(); ++i)
    fused[lexical[i]] += 1.0 / (rrf_k + double(i + 1));
  for (size_t i = 0; i < semantic.size(); ++i)
    fused[semantic[i]] += 1.0 / (rrf_k + double(i + 1));
  std::vector<std::pair<double, int64_t>> ranked; // (score, id)
  for (const auto& [id, score] : fused)
    ranked.emplace_back(score, id);
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (size_t i = 0; i < ranked.size() && i < k; ++i) {
    auto h = hit_of(ranked[i].second, ranked[i].first);
    if (!h)
      return h.error();
    out.push_back(std::move(*h));
  }
  return out;
}

} // namespace et::context
