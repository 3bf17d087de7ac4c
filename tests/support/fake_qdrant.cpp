#include "fake_qdrant.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <mutex>

namespace et::test {

namespace {

namespace json = boost::json;

struct collection {
  size_t size = 0;
  std::map<std::string, fake_point> points;
};

// Qdrant's envelope: {"result": ..., "status": "ok", "time": seconds}.
reply ok(json::value result) {
  return reply{}.send(
      http_response(200,
                    json::serialize(json::object{
                        {"result", std::move(result)}, {"status", "ok"}, {"time", 0.0001}}),
                    {{"Content-Type", "application/json"}}));
}

// Qdrant's error body: {"status": {"error": "..."}, "time": seconds}.
reply fail(int status, const std::string& message) {
  return reply{}.send(http_response(
      status,
      json::serialize(json::object{{"status", json::object{{"error", message}}}, {"time", 0.0}}),
      {{"Content-Type", "application/json"}}));
}

json::value completed(uint64_t op) {
  return json::object{{"operation_id", op}, {"status", "completed"}};
}

std::string text_of(const json::value& v) {
  return v.is_string() ? std::string{v.get_string()} : json::serialize(v);
}

// Whether a payload satisfies every `must` condition {"key": K, "match": {"value": V}}.
bool matches(const json::object& payload, const json::value* filter) {
  if (filter == nullptr || filter->is_null())
    return true;
  const auto* must = filter->as_object().if_contains("must");
  if (must == nullptr)
    return true;
  for (const auto& c : must->as_array()) {
    const auto& cond = c.as_object();
    auto key = cond.at("key").as_string();
    const auto& value = cond.at("match").as_object().at("value");
    const auto* have = payload.if_contains(key);
    if (have == nullptr || *have != value)
      return false;
  }
  return true;
}

double cosine(const std::vector<double>& a, const json::array& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    double y = b[i].to_number<double>();
    dot += a[i] * y;
    na += a[i] * a[i];
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0;
}

} // namespace

struct fake_qdrant::impl {
  std::string api_key;
  mutable std::mutex mutex;
  std::map<std::string, collection> collections;
  override_fn override_;
  uint64_t operations = 0;

  reply serve(const seen_request& req);
  reply route(const seen_request& req);
  reply points_call(const std::string& name, collection& c, const std::string& rest,
                    const seen_request& req);
};

reply fake_qdrant::impl::serve(const seen_request& req) {
  override_fn take;
  {
    std::lock_guard lock{mutex};
    take = override_;
  }
  if (take)
    if (auto r = take(req))
      return std::move(*r);
  if (!api_key.empty()) {
    auto h = std::find_if(req.headers.begin(), req.headers.end(), [](const auto& f) {
      std::string name = f.first;
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      return name == "api-key";
    });
    if (h == req.headers.end() || h->second != api_key)
      return fail(401, "Invalid api-key");
  }
  try {
    return route(req);
  } catch (const std::exception& e) {
    return fail(400, std::string{"Format error in JSON body: "} + e.what());
  }
}

reply fake_qdrant::impl::route(const seen_request& req) {
  auto target = req.target.substr(0, req.target.find('?'));
  const std::string prefix = "/collections/";
  if (target.rfind(prefix, 0) != 0)
    return fail(404, "Not found");
  auto rest = target.substr(prefix.size());
  auto slash = rest.find('/');
  auto name = rest.substr(0, slash);
  rest = slash == std::string::npos ? "" : rest.substr(slash);
  std::lock_guard lock{mutex};
  auto it = collections.find(name);
  if (rest.empty() && req.method == "GET") {
    if (it == collections.end())
      return fail(404, "Not found: Collection `" + name + "` doesn't exist!");
    return ok(json::object{
        {"status", "green"},
        {"points_count", it->second.points.size()},
        {"config",
         json::object{
             {"params", json::object{{"vectors", json::object{{"size", it->second.size},
                                                              {"distance", "Cosine"}}}}}}}});
  }
  if (rest.empty() && req.method == "PUT") {
    if (it != collections.end())
      return fail(409, "Wrong input: Collection `" + name + "` already exists!");
    auto body = json::parse(req.body).as_object();
    const auto& v = body.at("vectors").as_object();
    if (v.at("distance").as_string() != "Cosine")
      return fail(400, "the fake only does Cosine");
    collections[name].size = static_cast<size_t>(v.at("size").to_number<int64_t>());
    return ok(true);
  }
  if (it == collections.end())
    return fail(404, "Not found: Collection `" + name + "` doesn't exist!");
  return points_call(name, it->second, rest, req);
}

reply fake_qdrant::impl::points_call(const std::string& name, collection& c,
                                     const std::string& rest, const seen_request& req) {
  auto body = json::parse(req.body).as_object();
  if (rest == "/points" && req.method == "PUT") {
    for (const auto& p : body.at("points").as_array()) {
      const auto& o = p.as_object();
      fake_point fp;
      fp.id = text_of(o.at("id"));
      for (const auto& x : o.at("vector").as_array())
        fp.vector.push_back(x.to_number<double>());
      if (fp.vector.size() != c.size)
        return fail(400,
                    "Wrong input: Vector dimension error: expected dim: " + std::to_string(c.size)
                        + ", got " + std::to_string(fp.vector.size()));
      const auto& payload = o.at("payload").as_object();
      fp.payload = json::serialize(payload);
      if (const auto* r = payload.if_contains("root"); r && r->is_string())
        fp.root = std::string{r->get_string()};
      if (const auto* r = payload.if_contains("path"); r && r->is_string())
        fp.path = std::string{r->get_string()};
      c.points[fp.id] = std::move(fp);
    }
    return ok(completed(++operations));
  }
  if (rest == "/points/delete" && req.method == "POST") {
    const auto* filter = body.if_contains("filter");
    if (filter == nullptr)
      return fail(400, "the fake deletes by filter only");
    std::erase_if(c.points, [&](const auto& entry) {
      return matches(json::parse(entry.second.payload).as_object(), filter);
    });
    return ok(completed(++operations));
  }
  if (rest == "/points/search" && req.method == "POST") {
    std::vector<double> query;
    for (const auto& x : body.at("vector").as_array())
      query.push_back(x.to_number<double>());
    if (query.size() != c.size)
      return fail(400, "Wrong input: Vector dimension error: expected dim: "
                           + std::to_string(c.size) + ", got " + std::to_string(query.size()));
    auto limit = static_cast<size_t>(body.at("limit").to_number<int64_t>());
    bool with_payload = body.contains("with_payload") && body.at("with_payload").as_bool();
    std::vector<std::pair<double, const fake_point*>> scored;
    for (const auto& [id, p] : c.points) {
      auto payload = json::parse(p.payload).as_object();
      if (!matches(payload, body.if_contains("filter")))
        continue;
      json::array v;
      for (double x : p.vector)
        v.emplace_back(x);
      scored.emplace_back(cosine(query, v), &p);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    json::array out;
    for (size_t i = 0; i < scored.size() && i < limit; ++i) {
      json::object hit{{"id", scored[i].second->id}, {"version", 0}, {"score", scored[i].first}};
      if (with_payload)
        hit["payload"] = json::parse(scored[i].second->payload);
      out.push_back(std::move(hit));
    }
    return ok(std::move(out));
  }
  return fail(404, "Not found: " + name + rest);
}

fake_qdrant::fake_qdrant(std::string api_key) : impl_(std::make_shared<impl>()) {
  impl_->api_key = std::move(api_key);
  server_ = std::make_unique<loopback_server>(
      [state = impl_](const seen_request& req) { return state->serve(req); });
}

fake_qdrant::~fake_qdrant() = default;

std::string fake_qdrant::url() const {
  return server_->url();
}

std::vector<seen_request> fake_qdrant::requests() const {
  return server_->requests();
}

void fake_qdrant::create(const std::string& name, size_t size) {
  std::lock_guard lock{impl_->mutex};
  impl_->collections[name].size = size;
}

std::optional<size_t> fake_qdrant::collection_size(const std::string& name) const {
  std::lock_guard lock{impl_->mutex};
  auto it = impl_->collections.find(name);
  if (it == impl_->collections.end())
    return std::nullopt;
  return it->second.size;
}

std::map<std::string, fake_point> fake_qdrant::points(const std::string& name) const {
  std::lock_guard lock{impl_->mutex};
  auto it = impl_->collections.find(name);
  return it == impl_->collections.end() ? std::map<std::string, fake_point>{} : it->second.points;
}

void fake_qdrant::set_override(override_fn f) {
  std::lock_guard lock{impl_->mutex};
  impl_->override_ = std::move(f);
}

} // namespace et::test
