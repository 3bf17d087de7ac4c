#pragma once
/// Internal to the router: its state and the steps of a job (one request).
/// Separate from router.cpp so tests can inspect the state with deref<>.

#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "caf/actor_addr.hpp"
#include "caf/typed_response_promise.hpp"
#include "et/actors/router.hpp"
#include "et/routing/chain.hpp"
#include "et/routing/policy.hpp"
#include "et/util/in_flight.hpp"

namespace et::actors {

/// A supervised provider actor.
struct provider_slot {
  config::provider settings;                             ///< what it was made from
  provider_actor hdl;                                    ///< the current instance
  routing::restart_budget budget{config::supervision{}}; ///< restarts left
  bool down = false; ///< budget spent: its deployments are skipped
  int restarts = 0;  ///< restarts so far
};

/// One request in flight through the router.
struct router_job {
  role_request req; ///< as received, its request emptied into content and chain
  /// The conversation and the tools (a coding agent's 100 KB and more), kept once for every
  /// candidate: each attempt gets them beside its candidate's options (attempt_request).
  chat_request content;
  caf::actor_addr requester;             ///< who asked: its death cancels the job
  std::vector<routing::candidate> chain; ///< what to try, in order
  size_t index = 0;                      ///< the candidate being tried
  int tries_here = 0;                    ///< attempts on that candidate
  int attempts = 0;                      ///< attempts in total
  bool streaming = false;                ///< stream or complete
  chunk_sink sink;                       ///< where streamed pieces go
  uint32_t next_seq = 0;                 ///< pieces relayed so far
  size_t streamed_bytes = 0;             ///< bytes the attempt in flight streamed (thinking too)
  size_t relayed_bytes = 0;              ///< text and thinking bytes passed on to the requester
  bool billed =
      false; ///< an attempt failed after the provider likely billed it: the answer says so
  /// The prompt's estimated tokens, taken when the conversation is let go (the first piece
  /// relayed); -1 while `content` still holds it.
  int64_t prompt_estimate = -1;
  uint64_t attempt_id = 0;  ///< id of the attempt in flight (0 = none)
  uint64_t reservation = 0; ///< the ledger's budget reservation for the next/current attempt
  routing::clock::time_point started;  ///< when that attempt was sent
  routing::clock::time_point deadline; ///< when that attempt counts as lost (the watchdog)
  caf::actor_addr sent_to;             ///< the provider instance it went to
  bool parked = false;                 ///< waiting for that instance's restart
  std::vector<std::string> notes;      ///< why candidates were passed over
  std::optional<routing::clock::time_point> back_at; ///< earliest end of a cooldown seen
  std::vector<fallback_taken> fallbacks;             ///< candidates passed over, for the reply
  std::optional<failure> last_failed; ///< the latest failed attempt (the cause of all_failed)
  caf::typed_response_promise<routed_response> promise; ///< the requester's answer
  bool counting = false;  ///< a token count: free (no budget, no record), answered in promise
  bool embedding = false; ///< an embedding job: inputs and embed_promise
  std::vector<std::string> embed_inputs;                       ///< the texts of an embedding job
  caf::typed_response_promise<routed_embedding> embed_promise; ///< its requester's answer
};

/// The router's state.
struct router_state {
  std::shared_ptr<const config::settings> settings; ///< configuration
  provider_factory make_provider;                   ///< makes children
  ledger_actor ledger;                              ///< records attempts (may be null)
  cost::price_book prices;                          ///< prices local answers
  cost::model_price dearest;  ///< the highest known prices: what a node may claim at most
  fallback_observer observer; ///< told about fallbacks (may be null)
  bool budgets = false;       ///< whether to ask the ledger before sending
  std::map<std::string, provider_slot> providers;          ///< by provider name
  routing::cooldown_tracker cooldowns{config::cooldown{}}; ///< failing deployments
  /// By job key; a job ends once, by take (its answer, its failure or a cancel).
  util::in_flight<uint64_t, router_job> jobs;
  std::unordered_map<uint64_t, uint64_t> attempts; ///< attempt id -> job key
  std::set<caf::actor_addr> watched;               ///< requesters monitored (once each)
  /// The last failure of each deployment (by key): why it cools down, when a job skips it.
  std::unordered_map<std::string, failure> last_failure;
  uint64_t next_key = 1;     ///< job keys
  uint64_t next_attempt = 1; ///< attempt ids
  uint64_t pool_turn = 0;    ///< whose turn it is among a pool's equally loaded members
  bool watching = false;     ///< a watchdog tick is on its way
  std::mt19937_64 random;    ///< jitter
  static inline const char* name = "et.router";
};

/// The router's self pointer.
using router_pointer = router_impl::stateful_pointer<router_state>;

/// How fallbacks name a deployment: its alias (alias@node), else provider/model.
std::string fallback_name(const routing::deployment& where);

/// The candidate job `j` is at.
const routing::candidate& current(const router_job& j);

/// What job `j`'s current candidate is sent: its options with the job's conversation and tools.
chat_request attempt_request(const router_job& j);

/// The provider slot job `j`'s current candidate goes to: its provider, or its node's remote
/// provider.
provider_slot& slot_of(router_pointer self, const router_job& j);
/// Starts or resumes job `key` at its current candidate.
void try_current(router_pointer self, uint64_t key);
/// Sends the next attempt of job `key` to the current candidate's provider, after
/// reserving its budget with the ledger when budgets are configured.
void send_attempt(router_pointer self, uint64_t key);
/// Sends the attempt now (its reservation, if any, is held).
void dispatch_attempt(router_pointer self, uint64_t key);
/// How often the watchdog looks for attempts past their deadline while any is in flight.
constexpr auto watchdog_period = std::chrono::seconds{1};
/// The margin past a provider's total timeout after which the router gives up on an attempt:
/// the provider enforces its HTTP timeouts itself; this catches one that never answers.
constexpr auto attempt_margin = std::chrono::seconds{30};
/// Arms the watchdog unless a tick is on its way. One tick a second while attempts are in
/// flight instead of a timer per attempt: CAF's request timeouts wake its clock thread twice
/// per request.
void watch(router_pointer self);
/// The watchdog's tick (router_watchdog.cpp): attempts past their deadline are cancelled at
/// their provider and fail as timeouts (retried or fallen back like any other).
void on_watchdog(router_pointer self);

/// Handles a failed attempt.
void on_attempt_failed(router_pointer self, uint64_t key, uint64_t attempt_id, failure f);
/// Handles a successful attempt.
void on_attempt_done(router_pointer self, uint64_t key, uint64_t attempt_id, chat_response r);
/// Handles a successful attempt of an embedding job (router_embed.cpp).
void on_embed_done(router_pointer self, uint64_t key, uint64_t attempt_id, embed_response r);
/// Starts an embedding job: target, then fallbacks (router_embed.cpp).
caf::typed_response_promise<routed_embedding> start_embed_job(router_pointer self,
                                                              role_embed_request req);
/// Sends the current attempt of embedding job `key` to `slot` (router_embed.cpp).
void dispatch_embed(router_pointer self, uint64_t key, provider_slot& slot, uint64_t aid);

/// Moves job `key` on to its next candidate, recording why in its fallbacks.
void fall_back(router_pointer self, uint64_t key, const failure& why);
/// Restarts (or retires) the provider whose instance `source` exited.
void on_provider_exit(router_pointer self, const caf::actor_addr& source);

/// Asks provider `name` for its models, bounded by its own timeouts.
caf::typed_response_promise<std::vector<model_info>> models_of(router_pointer self,
                                                               const std::string& name);

// Budgets and the ledger (router_budget.cpp).

/// Gives the job's budget reservation back when no record will settle it.
void release_reservation(router_pointer self, router_job& j);
/// Tells the ledger about a finished attempt (`r` or `f`); settles its reservation.
void report(router_pointer self, router_job& j, const chat_response* r, const failure* f);
/// What `tokens` cost at local deployment `where` (nullopt: unknown price).
std::optional<double> price(router_pointer self, const routing::deployment& where,
                            const usage& tokens);
/// Fails job `key` with `err`: releases its reservation and answers the requester.
void finish(router_pointer self, uint64_t key, caf::error err);

} // namespace et::actors
