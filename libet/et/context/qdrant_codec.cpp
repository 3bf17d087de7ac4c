#include "et/context/qdrant_codec.hpp"

#include <boost/json.hpp>
#include <cmath>

#include "et/config/trust.hpp"
#include "et/util/bounded_json.hpp"
#include "et/util/json_text.hpp"
#include "et/util/text.hpp"

namespace et::context::qdrant {

namespace {

namespace json = boost::json;

// Line numbers past this are not a chunk of any file et indexes.
constexpr int64_t max_line = int64_t{1} << 40;

failure bad(std::string_view what) {
  return make_failure(errc::invalid_input, "qdrant: malformed answer: " + std::string{what});
}

result<json::object> parse_object(std::string_view body) {
  // Up to 16 MiB of a server's bytes: parsed within a memory bound, not only a size.
  auto v = parse_within(body, json_budget_for(body.size()), 32, "answer");
  if (!v)
    return bad("not JSON, or more JSON values than its size allows");
  if (!v->is_object())
    return bad("not a JSON object");
  return std::move(v->as_object());
}

// A non-negative integer from a JSON number that is exactly one.
std::optional<int64_t> whole(const json::value* v) {
  if (v == nullptr)
    return std::nullopt;
  if (v->is_int64())
    return v->get_int64() >= 0 ? std::optional{v->get_int64()} : std::nullopt;
  if (v->is_uint64())
    return v->get_uint64() <= uint64_t(INT64_MAX) ? std::optional{int64_t(v->get_uint64())}
                                                  : std::nullopt;
  return std::nullopt;
}

json::object match(std::string_view key, std::string_view value) {
  return {{"key", key}, {"match", json::object{{"value", value}}}};
}

json::object root_filter(std::string_view root, std::string_view path) {
  json::array must{match("root", root)};
  if (!path.empty())
    must.push_back(match("path", path));
  return {{"must", std::move(must)}};
}

json::array vector_array(const std::vector<float>& v) {
  json::array a;
  a.reserve(v.size());
  for (float x : v)
    a.emplace_back(static_cast<double>(x));
  return a;
}

// A bounded string of a payload; nullopt when absent, not a string or too long.
std::optional<std::string> bounded(const json::object& o, std::string_view key, size_t limit) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string() || v->get_string().size() > limit)
    return std::nullopt;
  return std::string{v->get_string()};
}

} // namespace

std::string point_id(std::string_view root, std::string_view path, size_t start_line) {
  std::string key{root};
  key += '\0';
  key += path;
  key += '\0';
  key += std::to_string(start_line);
  auto h = config::sha256_hex(key).substr(0, 32);
  h[12] = '5';                                                   // version 5 layout
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 0x3]; // RFC 4122 variant
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-"
         + h.substr(20, 12);
}

std::string create_collection_body(size_t dimension) {
  return json_text(
      json::object{{"vectors", json::object{{"size", dimension}, {"distance", "Cosine"}}}});
}

result<size_t> decode_collection(std::string_view body) {
  auto o = parse_object(body);
  if (!o)
    return o.error();
  const auto* res = o->if_contains("result");
  const auto* cfg = res && res->is_object() ? res->get_object().if_contains("config") : nullptr;
  const auto* params = cfg && cfg->is_object() ? cfg->get_object().if_contains("params") : nullptr;
  const auto* vectors =
      params && params->is_object() ? params->get_object().if_contains("vectors") : nullptr;
  if (vectors == nullptr || !vectors->is_object())
    return bad("a collection without result.config.params.vectors");
  const auto& v = vectors->get_object();
  if (!v.contains("size"))
    return make_failure(errc::unsupported,
                        "qdrant: the collection has named vectors; et needs one unnamed vector");
  auto size = whole(v.if_contains("size"));
  if (!size || *size == 0 || size_t(*size) > max_dimension)
    return bad("a vector size that is not a whole number from 1 to "
               + std::to_string(max_dimension));
  return static_cast<size_t>(*size);
}

std::string upsert_body(const std::vector<point>& points) {
  json::array out;
  out.reserve(points.size());
  for (const auto& p : points)
    out.emplace_back(json::object{{"id", p.id},
                                  {"vector", vector_array(p.vector)},
                                  {"payload", json::object{{"path", p.path},
                                                           {"start_line", p.start_line},
                                                           {"end_line", p.end_line},
                                                           {"text", p.text},
                                                           {"root", p.root}}}});
  auto body = json_text(json::object{{"points", std::move(out)}});
  make_valid_utf8(body); // chunks of project files in any encoding
  return body;
}

std::string delete_body(std::string_view root, std::string_view path) {
  return json_text(json::object{{"filter", root_filter(root, path)}});
}

std::string search_body(std::string_view root, const std::vector<float>& vector, size_t limit) {
  return json_text(json::object{{"vector", vector_array(vector)},
                                {"limit", limit},
                                {"with_payload", true},
                                {"filter", root_filter(root, "")}});
}

result<std::vector<scored_point>> decode_search(std::string_view body, size_t limit) {
  auto o = parse_object(body);
  if (!o)
    return o.error();
  const auto* res = o->if_contains("result");
  if (res == nullptr || !res->is_array())
    return bad("search result is not an array");
  const auto& hits = res->get_array();
  if (hits.size() > limit)
    return bad(std::to_string(hits.size()) + " hits where at most " + std::to_string(limit)
               + " were asked for");
  std::vector<scored_point> out;
  out.reserve(hits.size());
  for (size_t i = 0; i < hits.size(); ++i) {
    auto where = "hit " + std::to_string(i);
    const auto* h = hits[i].if_object();
    if (h == nullptr)
      return bad(where + " is not an object");
    const auto* score = h->if_contains("score");
    double s = 0;
    if (score != nullptr && score->is_double())
      s = score->get_double();
    else if (score != nullptr && score->is_int64())
      s = static_cast<double>(score->get_int64());
    else
      return bad(where + " has no numeric score");
    if (!std::isfinite(s))
      return bad(where + " has a non-finite score");
    const auto* payload = h->if_contains("payload");
    if (payload == nullptr || !payload->is_object())
      return bad(where + " has no payload");
    const auto& p = payload->get_object();
    scored_point sp;
    auto root = bounded(p, "root", max_path_bytes);
    auto path = bounded(p, "path", max_path_bytes);
    if (!root || !path || path->empty())
      return bad(where + " has no bounded payload root and path");
    if (const auto* text = p.if_contains("text");
        text != nullptr && (!text->is_string() || text->get_string().size() > max_text_bytes))
      return bad(where + " has a payload text that is not a bounded string");
    auto start = whole(p.if_contains("start_line"));
    auto end = whole(p.if_contains("end_line"));
    if (!start || !end || *start < 1 || *end < *start || *end > max_line)
      return bad(where + " has no valid payload line range");
    sp.root = std::move(*root);
    sp.path = std::move(*path);
    sp.start_line = static_cast<size_t>(*start);
    sp.end_line = static_cast<size_t>(*end);
    sp.score = s;
    out.push_back(std::move(sp));
  }
  return out;
}

result<void> decode_ack(std::string_view body) {
  auto o = parse_object(body);
  if (!o)
    return o.error();
  const auto* status = o->if_contains("status");
  if (status == nullptr || !status->is_string() || status->get_string() != "ok")
    return bad("a write without status \"ok\"");
  if (!o->contains("result"))
    return bad("a write without a result");
  return {};
}

std::string excerpt(std::string_view text, std::string_view secret) {
  std::string clean =
      secret.empty() ? std::string{text} : scrub(std::string{text}, {std::string{secret}});
  std::string out;
  for (char c : clean) {
    if (out.size() >= max_excerpt)
      break;
    auto u = static_cast<unsigned char>(c);
    out += u >= 0x20 && u < 0x7f ? c : '?';
  }
  return out;
}

failure http_failure(std::string_view what, int status, std::string_view body,
                     std::string_view secret) {
  errc code = errc::invalid_input;
  if (status == 401 || status == 403)
    code = errc::auth;
  else if (status == 404)
    code = errc::not_found;
  else if (status == 429)
    code = errc::rate_limited;
  else if (status >= 500)
    code = errc::server_error;
  else if (status >= 400)
    code = errc::bad_request;
  std::string message = "qdrant " + std::string{what} + ": HTTP " + std::to_string(status);
  boost::system::error_code ec;
  auto v = json::parse(json::string_view{body.data(), body.size()}, ec);
  const auto* o = ec ? nullptr : v.if_object();
  const auto* st = o ? o->if_contains("status") : nullptr;
  const auto* err = st && st->is_object() ? st->get_object().if_contains("error") : nullptr;
  if (err != nullptr && err->is_string())
    if (auto said = excerpt(err->get_string(), secret); !said.empty())
      message += " (" + said + ")";
  auto f = make_failure(code, std::move(message));
  f.http_status = status;
  return f;
}

} // namespace et::context::qdrant
