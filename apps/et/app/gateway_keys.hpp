#pragma once
/// The gateway's keys at the door: who a request comes from (Authorization:
/// Bearer or x-api-key, looked up by hash in the state dir's key store), which
/// models the key may name, and its budgets and rate limits (reserved before
/// the router is asked, settled with the real usage after). With no key that
/// is not revoked, the gateway is open (loopback only) and requests are
/// recorded without a key name.

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "et/config/settings.hpp"
#include "et/cost/prices.hpp"
#include "et/gateway/errors.hpp"
#include "et/gateway/models.hpp"
#include "et/http/server.hpp"
#include "et/store/key_cache.hpp"
#include "et/store/key_store.hpp"
#include "et/store/key_writer.hpp"

namespace et::app {

/// Who a request comes from.
struct key_pass {
  std::string name;                ///< the key's name; "" in open mode
  std::vector<std::string> models; ///< the models it may name (empty: any)
  bool budgeted = false;           ///< it has a day or total budget
};

/// The most refusals recorded for one key in one minute.
inline constexpr int refusals_per_minute = 100;

/// What admission reserved, to settle once the answer is out.
struct key_ticket {
  std::string name;        ///< the key ("" in open mode)
  std::string model;       ///< the model the client named
  int64_t reservation = 0; ///< the store's reservation (0: none)
  /// For a request that ends without its usage (settle_unanswered): its prompt's estimate and
  /// the dearest prices per token of its chain (none when no candidate is priced).
  int64_t prompt_tokens = 0;
  std::optional<cost::model_price> dearest;
  bool budgeted = false; ///< the key has a budget: an unpriced answer is charged at `dearest`
};

/// The door. authenticate() looks the key up in a copy of the keys table
/// (store::key_cache: refreshed when the table changed, never waiting behind a
/// write); admissions, settles and records, which write and may wait for another
/// process's transaction, go to the store's one writer thread (store::key_writer:
/// admissions committed many to a transaction before each request goes out,
/// records gathered and synced together off the request's path).
class key_gate {
public:
  /// Opens the key store in `file` (the ledger). The gateway fails closed: without its
  /// store it cannot tell whether keys are required, so it does not start.
  /// `log` gets a line when a record cannot be written (may be empty).
  static result<std::unique_ptr<key_gate>> open(const std::filesystem::path& file,
                                                std::shared_ptr<const config::settings> settings,
                                                std::function<void(const std::string&)> log);
  /// Writes what is queued (records included), then stops the writer's thread.
  ~key_gate();
  key_gate(const key_gate&) = delete;
  key_gate& operator=(const key_gate&) = delete;

  /// How many keys are not revoked (0: open mode); nullopt when the store fails.
  std::optional<int64_t> active_keys() const;

  /// The key of `in`, or the 401 (or 500 when the store fails) to send instead. The
  /// presented key never appears in a message.
  std::variant<key_pass, gateway::client_error> authenticate(const http::incoming& in) const;

  /// The 403 for a model the key may not name (recorded as a refusal when `record`), or nothing.
  std::optional<gateway::client_error> refuse_model(const key_pass& who, const std::string& model,
                                                    bool record = true);

  /// What admit() answers: the error to send instead (403, 429, 401), or none and the
  /// ticket that settle() wants.
  using admitted = std::function<void(std::optional<gateway::client_error>, key_ticket)>;

  /// Checks the model against the key's list (403), estimates the request's worst case (the
  /// dearest candidate of its chain at its max_tokens) and reserves it against the key's
  /// budgets and rate windows (429, with Retry-After for rpm and tpm), then calls `then`.
  /// Open mode reserves nothing and calls `then` at once, as does a model the key may not
  /// use; otherwise `then` runs on the writer's thread once the reservation committed, so
  /// that waiting for another process's transaction never holds up the HTTP thread.
  void admit(const key_pass& who, const std::string& model, const gateway::route& where,
             std::shared_ptr<const chat_request> req, admitted then);

  /// Releases the ticket's reservation and records the request (status, usage, cost), in
  /// the background: gathered with others and written within key_writer's flush interval.
  void settle(const key_ticket& ticket, int status, const usage& tokens, std::optional<double> usd);

  /// Settles a request that ended without an answer's usage. One that may have cost something
  /// upstream (`may_have_cost`: it had streamed, or an attempt timed out or broke off) is
  /// charged an estimate, its prompt and the `streamed_bytes` it relayed at the
  /// chain's dearest prices, so a client cannot spend past a budget by hanging up before the
  /// usage comes; any other is recorded at $0.
  void settle_unanswered(const key_ticket& ticket, int status, std::size_t streamed_bytes,
                         bool may_have_cost);

  /// Blocks until what was queued is written and every admission answered (see
  /// store::key_writer::flush): after it, no answer on the writer's thread holds the gateway.
  void flush();

  /// Records a request refused after authentication (400, 403, 404, 429) at $0, in the
  /// background; at most refusals_per_minute a key a minute (a client refused in a loop would
  /// otherwise add a row for each). `model` is "" when the body did not decode.
  void record_refusal(const key_pass& who, const std::string& model, int status);

private:
  key_gate() = default;
  store::key_use estimate(const key_pass& who, const gateway::route& where, const chat_request& req,
                          key_ticket& ticket) const;

  std::shared_ptr<const config::settings> settings_;
  cost::price_book prices_;
  std::unique_ptr<store::key_cache> cache_;
  /// Refusals recorded per key in the current minute (refusals_per_minute at most).
  struct refusal_count {
    int64_t minute = 0;
    int count = 0;
  };
  std::mutex refusals_mutex_;
  std::map<std::string, refusal_count> refusals_; ///< by key name: as many as there are keys
  std::unique_ptr<store::key_writer> writer_;     ///< last: stopped (and flushed) first
};

} // namespace et::app
