#pragma once
/// The typed interfaces of et's actors: every message, who sends it and what
/// comes back. Implementations extend these with internal messages that only
/// the actor itself (or the I/O thread it owns) sends.

#include <cstdint>
#include <vector>

#include "caf/replies_to.hpp"
#include "caf/typed_actor.hpp"
#include "et/actors/atoms.hpp"
#include "et/cost/reports.hpp"
#include "et/cost/summary.hpp"
#include "et/llm/chat.hpp"
#include "et/llm/routed.hpp"

namespace et::actors {

/// One configured provider endpoint (HTTP or the in-process mock).
using provider_actor = caf::typed_actor<
    /// router -> provider: answer the request (the id names it for cancel);
    /// replies with the whole answer or a typed error.
    caf::replies_to<complete_atom, uint64_t, chat_request>::with<chat_response>,
    /// router -> provider: stream the answer; each piece goes to the sender as
    /// (chunk_atom, stream_chunk), then the reply carries the whole answer.
    caf::replies_to<stream_atom, uint64_t, chat_request>::with<chat_response>,
    /// router -> provider: the models the endpoint offers.
    caf::replies_to<models_atom>::with<std::vector<model_info>>,
    /// router -> provider: abandon request `id`; its reply becomes errc::cancelled.
    caf::reacts_to<cancel_atom, uint64_t>>;

/// Anything that receives streamed pieces: the router and role actors.
using chunk_sink = caf::typed_actor<
    /// provider/router -> requester: the next piece of stream `id`.
    caf::reacts_to<chunk_atom, stream_chunk>>;

/// The cost ledger: prices and records every call, answers budget questions.
using ledger_actor = caf::typed_actor<
    /// router -> ledger: one finished attempt (priced by the ledger; its usd is ignored).
    caf::reacts_to<record_atom, cost::call_record>,
    /// router -> ledger: may this request be sent? true, or errc::budget_exceeded.
    caf::replies_to<budget_atom, cost::budget_query>::with<bool>,
    /// anyone -> ledger: the spend of this process so far.
    caf::replies_to<summary_atom>::with<cost::cost_report>>;

/// The router: roles to deployments, with retries, cooldowns, fallbacks and
/// supervised provider actors.
using router_actor = caf::typed_actor<
    /// anyone -> router: answer for a role; replies with the answer and who gave it.
    caf::replies_to<complete_atom, role_request>::with<routed_response>,
    /// role actor -> router: stream for a role; pieces go to the sender as
    /// (chunk_atom, stream_chunk) with the request's id, then the reply.
    caf::replies_to<stream_atom, role_request>::with<routed_response>,
    /// provider -> router: a piece of an attempt in flight (relayed to the requester).
    caf::reacts_to<chunk_atom, stream_chunk>,
    /// anyone -> router: cancel the request with this id.
    caf::reacts_to<cancel_atom, uint64_t>>;

} // namespace et::actors
