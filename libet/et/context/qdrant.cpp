#include "et/context/qdrant.hpp"

#include "et/http/whole.hpp"

namespace et::context {

namespace {

using config::milliseconds;

// Upserts wait until applied: a large batch on a busy server takes a while.
constexpr milliseconds connect_bound{10'000};
constexpr milliseconds call_bound{120'000};

} // namespace

qdrant_store::qdrant_store(http::runtime& rt, et::url base, config::qdrant_settings settings,
                           const config::tls_client& tls)
    : base_(std::move(base)), settings_(std::move(settings)) {
  http::client_options options;
  options.max_body_bytes = qdrant::max_body_bytes;
  options.tls = tls;
  client_ = std::make_unique<http::client>(rt, std::move(options));
}

qdrant_store::~qdrant_store() = default;

result<std::unique_ptr<qdrant_store>> qdrant_store::open(http::runtime& rt,
                                                         const config::qdrant_settings& settings,
                                                         const config::tls_client& tls) {
  auto base = parse_url(settings.url);
  if (!base)
    return make_failure(errc::invalid_config, "context.qdrant.url is not an http(s) URL");
  if (settings.collection.empty())
    return make_failure(errc::invalid_config, "context.qdrant.collection is empty");
  return std::unique_ptr<qdrant_store>{new qdrant_store(rt, std::move(*base), settings, tls)};
}

std::string qdrant_store::where() const {
  return base_.to_string() + "/collections/" + settings_.collection;
}

result<http::whole_response> qdrant_store::call(const char* method, const std::string& target,
                                                std::string body, const char* what) {
  http::request req;
  req.method = method;
  req.base = base_;
  req.target = base_.path + "/collections/" + settings_.collection + target;
  if (!settings_.api_key.empty())
    req.headers.emplace_back("api-key", settings_.api_key);
  if (!body.empty())
    req.headers.emplace_back("Content-Type", "application/json");
  req.body = std::move(body);
  req.timeouts.connect = connect_bound;
  req.timeouts.first_byte = call_bound;
  req.timeouts.idle = call_bound;
  req.timeouts.total = call_bound;
  auto got = http::send_whole(*client_, std::move(req));
  if (!got) {
    // The HTTP client names the origin and the step, never a header: the key stays out.
    auto f = got.error();
    f.message =
        "qdrant " + std::string{what} + ": " + qdrant::excerpt(f.message, settings_.api_key);
    return f;
  }
  return got;
}

result<void> qdrant_store::write(const char* method, const std::string& target, std::string body,
                                 const char* what) {
  auto got = call(method, target, std::move(body), what);
  if (!got)
    return got.error();
  if (got->status < 200 || got->status > 299)
    return qdrant::http_failure(what, got->status, got->body, settings_.api_key);
  if (auto ok = qdrant::decode_ack(got->body); !ok)
    return make_failure(ok.error().code, "qdrant " + std::string{what} + ": " + ok.error().message);
  return {};
}

result<void> qdrant_store::ensure_collection(size_t dimension) {
  auto got = call("GET", "", "", "collection info");
  if (!got)
    return got.error();
  if (got->status == 404)
    return write("PUT", "", qdrant::create_collection_body(dimension), "create collection");
  if (got->status < 200 || got->status > 299)
    return qdrant::http_failure("collection info", got->status, got->body, settings_.api_key);
  auto size = qdrant::decode_collection(got->body);
  if (!size)
    return size.error();
  if (*size != dimension)
    return make_failure(errc::invalid_input,
                        "qdrant collection \"" + settings_.collection + "\" holds vectors of size "
                            + std::to_string(*size) + ", the embedding model answers "
                            + std::to_string(dimension)
                            + " (use another collection or the model it was made with)");
  return {};
}

result<void> qdrant_store::upsert(const std::vector<qdrant::point>& points) {
  if (points.empty())
    return {};
  return write("PUT", "/points?wait=true", qdrant::upsert_body(points), "upsert");
}

result<void> qdrant_store::remove(const std::string& root, const std::string& path) {
  return write("POST", "/points/delete?wait=true", qdrant::delete_body(root, path), "delete");
}

result<std::vector<qdrant::scored_point>>
qdrant_store::search(const std::string& root, const std::vector<float>& vector, size_t limit) {
  auto got = call("POST", "/points/search", qdrant::search_body(root, vector, limit), "search");
  if (!got)
    return got.error();
  if (got->status < 200 || got->status > 299)
    return qdrant::http_failure("search", got->status, got->body, settings_.api_key);
  auto hits = qdrant::decode_search(got->body, limit);
  if (!hits)
    return hits.error();
  std::erase_if(*hits, [&](const qdrant::scored_point& p) { return p.root != root; });
  return hits;
}

} // namespace et::context
