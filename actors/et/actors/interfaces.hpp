#pragma once
/// The typed interfaces of et's actors: every message, who sends it and what
/// comes back. Implementations extend these with internal messages that only
/// the actor itself (or the I/O thread it owns) sends.

#include <cstdint>
#include <string>
#include <vector>

#include "caf/replies_to.hpp"
#include "caf/typed_actor.hpp"
#include "et/actors/detail/atoms.hpp"
#include "et/cost/reports.hpp"
#include "et/cost/summary.hpp"
#include "et/llm/chat.hpp"
#include "et/llm/embed.hpp"
#include "et/llm/routed.hpp"
#include "et/plan/decompose.hpp"
#include "et/roles/messages.hpp"
#include "et/roles/pool.hpp"
#include "et/routing/node.hpp"

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
    /// router -> provider: embed the request's texts (the id names it for cancel); replies
    /// with one checked vector per input or a typed error (unsupported where there is none).
    caf::replies_to<embed_atom, uint64_t, embed_request>::with<embed_response>,
    /// router -> provider: count the input tokens of the request (the id names it for
    /// cancel); replies with an answer without text whose tokens.prompt_tokens is the count,
    /// or a typed error (unsupported for a protocol without a counting endpoint).
    caf::replies_to<count_atom, uint64_t, chat_request>::with<chat_response>,
    /// router -> provider: abandon request `id`; its reply becomes errc::cancelled.
    caf::reacts_to<cancel_atom, uint64_t>>;

/// Anything that receives streamed pieces: the router and role actors.
using chunk_sink = caf::typed_actor<
    /// provider/router -> requester: the next piece of stream `id`.
    caf::reacts_to<chunk_atom, stream_chunk>>;

/// The cost ledger: prices and records every call, answers budget questions.
using ledger_actor = caf::typed_actor<
    /// router -> ledger: one finished attempt, with the cost the router priced (or the node,
    /// for provider "@node"); the ledger prices a record that comes without one.
    caf::reacts_to<record_atom, cost::call_record>,
    /// router -> ledger: the same, for an attempt that holds budget reservation `id` (from
    /// budget_atom; 0 = none): the reservation is released as the call is recorded.
    caf::reacts_to<record_atom, uint64_t, cost::call_record>,
    /// router -> ledger: may this request be sent? Replies with the id of the budget
    /// reservation it now holds (0 when no budget needed one), or errc::budget_exceeded.
    caf::replies_to<budget_atom, cost::budget_query>::with<uint64_t>,
    /// router -> ledger: reservation `id` will never be recorded (the attempt was not sent,
    /// or was cancelled): release it.
    caf::reacts_to<cancel_atom, uint64_t>,
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
    caf::reacts_to<cancel_atom, uint64_t>,
    /// anyone -> router: the models provider `name` offers (for Ollama: GET /api/tags, with the
    /// provider's auth); errc::not_found for a name that is not a configured provider.
    caf::replies_to<models_atom, std::string>::with<std::vector<model_info>>,
    /// anyone -> router: embed texts with the request's target, then its fallbacks, with the
    /// retries, cooldowns, budgets and ledger records of any call; replies with the vectors
    /// and who gave them.
    caf::replies_to<embed_atom, role_embed_request>::with<routed_embedding>,
    /// anyone -> router: count the input tokens of the request with the first candidate of
    /// its role or target that can count (unsupported ones are passed over, failures retried
    /// and fallen back from as for an answer); replies like complete, with the count in
    /// response.tokens.prompt_tokens and no text. Free: no budget, no ledger record.
    caf::replies_to<count_atom, role_request>::with<routed_response>>;

/// An `et serve` node as other hosts see it: its router, by alias only, behind
/// a bound on concurrent requests. Published with CAF's middleman.
using node_actor = caf::typed_actor<
    /// caller -> node: name, version, aliases, load and spend.
    caf::replies_to<status_atom>::with<routing::node_status>,
    /// remote provider -> node: answer with the node's alias `target`; replies with the answer,
    /// its usage and cost, or a typed error (overloaded past max_in_flight, not_found for an
    /// alias it lacks, node_down while it shuts down).
    caf::replies_to<complete_atom, role_request>::with<routed_response>,
    /// remote provider -> node: stream it; pieces go to the sender as (chunk_atom, stream_chunk)
    /// with the request's id, then the reply as for complete.
    caf::replies_to<stream_atom, role_request>::with<routed_response>,
    /// remote provider -> node: cancel the sender's request with this id.
    caf::reacts_to<cancel_atom, uint64_t>>;

/// A host's Ollama health probe (see health.hpp).
using health_actor = caf::typed_actor<
    /// node or `et nodes` -> probe: one row per Ollama provider, in name order, once each
    /// answered, failed or ran past health_timeout (an empty list when there are none).
    caf::replies_to<status_atom>::with<std::vector<routing::provider_health>>>;

/// The mayor (role "mayor" or a custom one): plans a run and combines its results.
using mayor_actor = caf::typed_actor<
    /// run -> mayor: split the task into at most N subtasks (0: no cap); replies with the
    /// parsed plan (subtasks, summary, how many were proposed, repairs made) or a typed error.
    caf::replies_to<decompose_atom, std::string, uint32_t>::with<plan::decomposition>,
    /// run -> mayor: the short brief shared by the workers of a plan; replies with its text.
    caf::replies_to<coordinate_atom, std::string, plan::decomposition>::with<std::string>,
    /// run -> mayor: one answer from the results in subtask order (failures marked);
    /// replies with its text.
    caf::replies_to<synthesize_atom, std::string,
                    std::vector<roles::worker_result>>::with<std::string>>;

/// A polecat (role "polecat" or a custom one such as "crew"), bound to one pool member.
using polecat_actor = caf::typed_actor<
    /// mayor/run -> polecat: carry out a subtask in one shot; replies with the answer, its
    /// usage and who gave it.
    caf::replies_to<execute_atom, roles::work_order>::with<routed_response>,
    /// mayor/run -> polecat: carry it out streaming; pieces go to the sink as
    /// (chunk_atom, stream_chunk) in order, then the reply carries the whole answer.
    caf::replies_to<stream_atom, roles::work_order, chunk_sink>::with<routed_response>,
    /// router -> polecat: a piece of a stream in flight (relayed to that stream's sink).
    caf::reacts_to<chunk_atom, stream_chunk>>;

/// The witness (role "witness" or a custom one): reviews, scores and validates work.
using witness_actor = caf::typed_actor<
    /// run -> witness: review work (against its task when given); replies with the score and
    /// note, or errc::invalid_input when the reviewer gave no readable score.
    caf::replies_to<review_atom, roles::review_request>::with<roles::verdict>,
    /// run -> witness: check work against criteria (et run --accept); replies with the
    /// witness's answer, one verdict line per criterion (plan::parse_acceptance reads it).
    caf::replies_to<validate_atom, roles::validation_request>::with<std::string>>;

/// The refinery (role "refinery" or a custom one): refines text.
using refinery_actor = caf::typed_actor<
    /// run -> refinery: polish text, or revise it to address the request's feedback;
    /// replies with the new text.
    caf::replies_to<refine_atom, roles::refine_request>::with<std::string>>;

/// Whoever watches a run (the `et run` view, tests): receives its progress events.
using progress_sink = caf::typed_actor<
    /// pool -> observer: something happened to a subtask (assigned, streamed, failed attempt,
    /// reviewed, finished).
    caf::reacts_to<status_atom, roles::progress>>;

/// The mayor's pool: fans jobs out to one polecat per member, bounded per member, gathers
/// outcomes in subtask order; retries on other members, then reserves; witness re-asks.
using pool_actor = caf::typed_actor<
    /// run -> pool: run these jobs (one execution at a time); replies with one outcome per
    /// job, ordered by subtask number, once every job is done, failed or cancelled.
    caf::replies_to<execute_atom, roles::execution>::with<std::vector<roles::subtask_outcome>>,
    /// run -> pool: stop dispatching and cancel work in flight; the execute reply follows
    /// with what finished (answers under review are kept).
    caf::reacts_to<cancel_atom>>;

} // namespace et::actors
