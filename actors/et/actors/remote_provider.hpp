#pragma once
/// The caller's side of an `et serve` node: a provider actor that sends each
/// request to the node for the alias it names. It connects lazily through
/// CAF's middleman (with TLS when the node has TLS material) within the
/// node's connect_timeout, monitors the node, bounds every request with the
/// node's request_timeout, answers errc::node_down when the node is
/// unreachable or goes away, and connects again on the next request, so a
/// node that restarts is used again.

#include <set>
#include <string>

#include "caf/actor.hpp"
#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"
#include "et/util/result.hpp"

namespace et::actors {

/// The remote provider's interface: a provider, plus the pieces the node streams back.
using remote_provider_actor = provider_actor::extend<
    /// node -> remote provider: a piece of a stream in flight (relayed to the requester).
    caf::reacts_to<chunk_atom, stream_chunk>>;

/// Spawns, from `parent` (the router), the provider for the node `settings`.
/// The router keys it "@" + the node's name; requests name the alias in their model field.
/// `connector` stands in for the middleman (node_connector) in tests.
remote_provider_actor spawn_remote_provider(caf::local_actor* parent, config::node settings,
                                            caf::actor connector = {});

/// The middleman actor that connects to `node`: TLS (CAF's OpenSSL module)
/// when the node has TLS material, plain TCP otherwise. Invalid when this
/// actor system was started without that module.
caf::actor node_connector(caf::actor_system& sys, const config::node& node);

/// The node actor behind a connect reply, or errc::node_down when the peer
/// publishes something else (another program, or an et with other messages).
result<node_actor> node_from(caf::actor_system& sys, const config::node& node,
                             caf::strong_actor_ptr ptr, const std::set<std::string>& interface);

/// What a failed exchange with `node` means to the router: a timeout stays
/// errc::timeout; the node's own typed errors pass through (provider_down
/// becomes node_down, since nothing local can restart it); everything CAF
/// reports (refused, unreachable, TLS handshake, other app identifiers,
/// a dead node actor) becomes errc::node_down. Messages name the node.
failure remote_failure(const config::node& node, const caf::error& e);

} // namespace et::actors
