#pragma once
/// The router actor: resolves a role to its chain of deployments, sends each
/// attempt to the provider actor it supervises, retries with backoff and
/// Retry-After, benches failing deployments for a cooldown, walks the fallback
/// chain on typed errors, relays streamed pieces, and restarts provider actors
/// that crash (within a restart budget) without losing the requests they had.

#include <functional>
#include <memory>

#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"
#include "et/cost/prices.hpp"
#include "et/routing/chain.hpp"

namespace et::actors {

/// Makes the provider actor for one configured provider, spawned by `parent`
/// (the router). Called at start and after every crash. A name starting with
/// '@' is a remote node ("@gpu" for nodes.gpu; see remote_slot_settings): its
/// actor sends requests, whose model field names the alias, to that node.
using provider_factory =
    std::function<provider_actor(caf::local_actor* parent, const config::provider& settings)>;

/// The provider a deployment goes to, as the router, the ledger and answers
/// name it: its provider, or "@node" for alias@node.
std::string slot_key(const routing::deployment& where);

/// The provider settings the router keeps for node `node`: named "@" + its
/// name, with timeouts that cover connecting and its request_timeout.
config::provider remote_slot_settings(const config::node& node);

/// The router's interface including its own timer message.
using router_impl = router_actor::extend<
    /// self -> self: the backoff of job `key` is over; try again.
    caf::reacts_to<retry_atom, uint64_t>,
    /// self -> self: the watchdog's tick; fails attempts past their deadline.
    caf::reacts_to<tick_atom>>;

/// Told about every request the router answered by way of fallbacks, whoever asked:
/// what a run reports for the calls its role actors make (mayor, witness, refinery).
using fallback_observer = caf::typed_actor<caf::reacts_to<status_atom, fallback_report>,
                                           caf::reacts_to<status_atom, retry_notice>>;

/// What a router starts from.
struct router_setup {
  std::shared_ptr<const config::settings> settings; ///< roles, aliases, providers, nodes
  provider_factory make_provider;                   ///< creates the children
  ledger_actor ledger;                              ///< told every attempt (may be null)
  cost::price_book prices;                          ///< prices each local answer (usd)
  uint64_t seed = 1;                                ///< makes backoff jitter reproducible
  fallback_observer observer{};                     ///< told about fallbacks (may be null)
};

/// Spawns a router. Every attempt is reported to the ledger (when given),
/// which is also asked before each attempt when budgets are configured. Each
/// answer carries its cost: priced here for local providers, by the node for
/// alias@node.
router_actor spawn_router(caf::actor_system& sys, router_setup setup);

/// As above with built-in prices only.
router_actor spawn_router(caf::actor_system& sys, std::shared_ptr<const config::settings> settings,
                          provider_factory make_provider, ledger_actor ledger = {},
                          uint64_t seed = 1);

} // namespace et::actors
