#pragma once
/// Qdrant's REST API as et writes and reads it: request bodies for creating a collection,
/// upserting points, deleting a file's points by filter and searching, and checked decoders
/// of the answers. Every byte of an answer is untrusted: shapes are checked, numbers must be
/// finite and in range, strings are bounded, and a failure's message quotes the server at
/// most as a short sanitized excerpt with the API key scrubbed.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/util/result.hpp"

namespace et::context::qdrant {

/// Largest answer body read (larger ones fail in the HTTP client).
constexpr size_t max_body_bytes = size_t{16} << 20;
/// Longest path a payload may carry.
constexpr size_t max_path_bytes = 4096;
/// Longest chunk text a payload may carry.
constexpr size_t max_text_bytes = size_t{1} << 20;
/// Largest vector dimension accepted from a collection's description.
constexpr size_t max_dimension = 65536;
/// Most characters of a server's error message quoted in a failure.
constexpr size_t max_excerpt = 120;

/// One chunk as a Qdrant point.
struct point {
  std::string id;            ///< point_id(root, path, start_line)
  std::vector<float> vector; ///< the chunk's embedding
  std::string root;          ///< project root (payload "root")
  std::string path;          ///< file relative to the root (payload "path")
  size_t start_line = 0;     ///< payload "start_line", 1-based
  size_t end_line = 0;       ///< payload "end_line", inclusive
  std::string text;          ///< payload "text"
};

/// One search result, as decoded from the payload.
struct scored_point {
  std::string root;      ///< payload "root"
  std::string path;      ///< payload "path"
  size_t start_line = 0; ///< payload "start_line"
  size_t end_line = 0;   ///< payload "end_line"
  double score = 0;      ///< Qdrant's similarity, finite
};

/// A deterministic UUID (RFC 4122 layout, version 5 bits) from the SHA-256 of root, path and
/// start line: re-upserting a chunk replaces its point, whatever the server.
std::string point_id(std::string_view root, std::string_view path, size_t start_line);

/// {"vectors":{"size":D,"distance":"Cosine"}}
std::string create_collection_body(size_t dimension);

/// The vector size of a collection from GET /collections/NAME's answer. Named vectors
/// (several per point) are errc::unsupported.
result<size_t> decode_collection(std::string_view body);

/// {"points":[{"id":..,"vector":[..],"payload":{path,start_line,end_line,text,root}},...]}
std::string upsert_body(const std::vector<point>& points);

/// {"filter":{"must":[root match, path match]}}; `path` "" matches every point of `root`.
std::string delete_body(std::string_view root, std::string_view path);

/// {"vector":[..],"limit":N,"with_payload":true,"filter":{"must":[root match]}}
std::string search_body(std::string_view root, const std::vector<float>& vector, size_t limit);

/// The hits of a search answer, best first as the server sent them: at most `limit`
/// (more is an error), finite scores, payloads with bounded strings and sane line ranges.
result<std::vector<scored_point>> decode_search(std::string_view body, size_t limit);

/// Checks an acknowledgement ({"result":..., "status":"ok"}) of a write.
result<void> decode_ack(std::string_view body);

/// The failure of a non-2xx answer: errc by status (401/403 auth, 404 not_found, 429
/// rate_limited, 5xx server_error, other 4xx bad_request), the message "qdrant WHAT: HTTP
/// STATUS" and a sanitized excerpt of {"status":{"error":...}} with `secret` scrubbed.
failure http_failure(std::string_view what, int status, std::string_view body,
                     std::string_view secret);

/// At most max_excerpt characters of `text`, printable ASCII only (others become '?'),
/// with every occurrence of `secret` replaced by "****" before clipping.
std::string excerpt(std::string_view text, std::string_view secret);

} // namespace et::context::qdrant
