#include "et/actors/provider_factory.hpp"

#include <algorithm>
#include <map>
#include <mutex>

#include "caf/all.hpp"
#include "et/actors/http_provider_actor.hpp"
#include "et/actors/mock_provider.hpp"
#include "et/actors/remote_provider.hpp"

namespace et::actors {

namespace {

// What the factory keeps across calls: one client or engine per provider.
struct factory_cache {
  std::shared_ptr<http::runtime> runtime;
  std::shared_ptr<const config::settings> settings;
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<http::client>> clients;
  std::map<std::string, std::shared_ptr<provider::mock_engine>> engines;

  std::shared_ptr<http::client> client_for(const config::provider& p) {
    std::lock_guard<std::mutex> guard{mutex};
    auto& c = clients[p.name];
    if (!c) {
      http::client_options opts;
      opts.max_idle_per_origin = static_cast<size_t>(p.max_connections);
      opts.tls = p.tls;
      // The deleter holds the runtime: a client never outlives its I/O threads,
      // whichever actor lets go of it last.
      auto rt = runtime;
      c = std::shared_ptr<http::client>(new http::client(*rt, opts),
                                        [rt](http::client* doomed) { delete doomed; });
    }
    return c;
  }

  std::shared_ptr<provider::mock_engine> engine_for(const config::provider& p) {
    std::lock_guard<std::mutex> guard{mutex};
    auto& e = engines[p.name];
    if (!e)
      e = std::make_shared<provider::mock_engine>(p.mock);
    return e;
  }

  // The model ids of the aliases on provider `name`: what a mock lists when
  // its settings name no models.
  std::vector<std::string> alias_models(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [alias, m] : settings->models)
      if (m.provider == name && std::find(out.begin(), out.end(), m.model) == out.end())
        out.push_back(m.model);
    return out;
  }
};

} // namespace

provider_factory make_provider_factory(std::shared_ptr<http::runtime> runtime,
                                       std::shared_ptr<const config::settings> settings) {
  auto cache = std::make_shared<factory_cache>();
  cache->runtime = std::move(runtime);
  cache->settings = std::move(settings);
  return [cache](caf::local_actor* parent, const config::provider& p) -> provider_actor {
    if (p.name.starts_with('@'))
      if (auto n = cache->settings->nodes.find(p.name.substr(1)); n != cache->settings->nodes.end())
        return spawn_remote_provider(parent, n->second);
    if (p.type == config::provider_type::mock)
      return spawn_mock_provider(parent, cache->engine_for(p), cache->alias_models(p.name));
    return spawn_http_provider(parent, cache->client_for(p), p);
  };
}

} // namespace et::actors
