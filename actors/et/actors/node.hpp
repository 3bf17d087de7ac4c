#pragma once
/// The node actor that `et serve` publishes: it takes requests by alias from
/// other hosts, forwards them to this host's router, relays streamed pieces,
/// bounds how many run at once, returns each answer with its cost (priced by
/// this host's router with this host's prices) so the caller's ledger gets the
/// cost with the tokens, and logs one line per request. Callers are
/// monitored: a caller that goes away has its requests cancelled.

#include <functional>
#include <memory>
#include <string>

#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"

namespace et::actors {

/// The node's interface including what only the router and its owner send.
using node_impl = node_actor::extend<
    /// router -> node: a piece of a stream in flight (relayed to its caller).
    caf::reacts_to<chunk_atom, stream_chunk>,
    /// owner -> node: refuse new requests from now on; replies with the number
    /// of requests served once none is in flight.
    caf::replies_to<drain_atom>::with<int64_t>,
    /// owner -> node: how many requests are in flight now (cheap, unlike status).
    caf::replies_to<inflight_atom>::with<int64_t>,
    /// owner -> node: cancel every request in flight (their callers get errc::cancelled).
    caf::reacts_to<cancel_atom>>;

/// What a node starts from.
struct node_setup {
  std::shared_ptr<const config::settings> settings; ///< aliases, providers, server.max_in_flight
  router_actor router;                              ///< answers the requests
  ledger_actor ledger;                              ///< spend for status (may be null)
  std::string name;                                 ///< what status reports
  bool tls = false;                                 ///< whether it is published with TLS
  std::function<void(const std::string&)> log; ///< one line per finished request (may be empty)
};

/// Spawns a node. Its owner publishes its door (spawn_node_door), never the
/// node itself, sends it drain, inflight and cancel, and stops it.
node_impl spawn_node(caf::actor_system& sys, node_setup setup);

/// What a node's door is: node_actor for the network, plus the pieces the
/// node streams to it (accepted from the node only).
using node_door_actor = node_actor::extend<caf::reacts_to<chunk_atom, stream_chunk>>;

/// Spawns the door of `node`: the only actor a remote peer can reach (publish
/// it as node_actor). It answers node_actor's messages and nothing else, and
/// it sends every request, cancel and status query itself, so no remote peer
/// ever learns the node's address (CAF lets a peer message any actor whose
/// address it was sent). It tracks each caller's requests under its own ids:
/// a caller cancels only its own, and a caller that goes away (or loses its
/// connection) has its requests cancelled. Linked to the node: they end together.
node_door_actor spawn_node_door(caf::actor_system& sys, node_impl node);

} // namespace et::actors
