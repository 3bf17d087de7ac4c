#pragma once
/// A router over mock providers, for the suites of what stands in front of a
/// router (nodes, the gateway's desks): one engine per configured provider,
/// made from its `mock:` settings.

#include <map>
#include <memory>
#include <string>

#include "et/actors/mock_provider.hpp"
#include "et/actors/router.hpp"

namespace et::test {

/// A router with `settings` whose providers are all mocks, recording into `ledger`.
inline actors::router_actor spawn_mock_router(caf::actor_system& sys,
                                              std::shared_ptr<const config::settings> settings,
                                              actors::ledger_actor ledger = {}, uint64_t seed = 1) {
  auto engines = std::make_shared<std::map<std::string, std::shared_ptr<provider::mock_engine>>>();
  for (const auto& [name, p] : settings->providers)
    (*engines)[name] = std::make_shared<provider::mock_engine>(p.mock);
  return actors::spawn_router(
      sys, std::move(settings),
      [engines](caf::local_actor* parent, const config::provider& p) -> actors::provider_actor {
        return actors::spawn_mock_provider(parent, (*engines)[p.name], {});
      },
      std::move(ledger), seed);
}

} // namespace et::test
