#include "et/app/gateway_keys.hpp"

#include <algorithm>
#include <chrono>

#include "et/cost/budget.hpp"
#include "et/cost/reports.hpp"
#include "et/routing/chain.hpp"

namespace et::app {

namespace {

// How stale the copy of the keys may be for requests that present no known key (a
// revoked key is refused at its admission whatever the copy says).
constexpr std::chrono::milliseconds key_refresh{100};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// The key a client presents: "Authorization: Bearer KEY" (OpenAI's SDKs) or
// "x-api-key: KEY" (Anthropic's); "" for none.
std::string presented_key(const http::incoming& in) {
  auto auth = trim(in.header("authorization"));
  if (auth.size() > 7) {
    std::string scheme{auth.substr(0, 7)};
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme == "bearer ")
      return std::string{trim(auth.substr(7))};
  }
  return std::string{trim(in.header("x-api-key"))};
}

gateway::client_error unauthorized(std::string message) {
  return {401, std::move(message), "", 0, "invalid_api_key"};
}

gateway::client_error store_failed() {
  // The store's message names the state dir's file, not a secret, but a client needs none of it.
  return {500, "the gateway cannot read its keys; see the gateway's log", "", 0, "key_store"};
}

} // namespace

result<std::unique_ptr<key_gate>> key_gate::open(const std::filesystem::path& file,
                                                 std::shared_ptr<const config::settings> settings,
                                                 std::function<void(const std::string&)> log) {
  auto store = store::key_store::open(file);
  if (!store)
    return store.error();
  auto cache = store::key_cache::open(file, key_refresh);
  if (!cache)
    return cache.error();
  std::unique_ptr<key_gate> g{new key_gate};
  if (!settings->pricing.file.empty()) {
    auto book = cost::price_book::from_config(settings->pricing);
    if (!book)
      return make_failure(errc::invalid_config, "pricing.file: " + book.error().message);
    g->prices_ = std::move(*book);
  }
  g->settings_ = std::move(settings);
  g->cache_ = std::move(*cache);
  store::key_writer_options o;
  o.log = std::move(log);
  g->writer_ = std::make_unique<store::key_writer>(std::move(*store), std::move(o));
  return g;
}

key_gate::~key_gate() = default;

std::optional<int64_t> key_gate::active_keys() const {
  auto n = cache_->active();
  if (!n)
    return std::nullopt;
  return *n;
}

std::variant<key_pass, gateway::client_error>
key_gate::authenticate(const http::incoming& in) const {
  auto key = presented_key(in);
  auto found = cache_->lookup(key);
  if (!found)
    return store_failed();
  if (found->key && found->key->revoked)
    return unauthorized("the key \"" + found->key->name + "\" was revoked");
  if (found->key)
    return key_pass{found->key->name, found->key->limits.models,
                    found->key->limits.budget_day || found->key->limits.budget_total};
  if (found->active == 0)
    return key_pass{}; // open mode: whatever an SDK sends as its key is ignored
  return unauthorized(key.empty() ? "this gateway needs a key: send \"Authorization: Bearer KEY\" "
                                    "or \"x-api-key: KEY\" (et keys create NAME makes one)"
                                  : "the key is not known to this gateway");
}

std::optional<gateway::client_error> key_gate::refuse_model(const key_pass& who,
                                                            const std::string& model, bool record) {
  if (who.name.empty() || who.models.empty()
      || std::find(who.models.begin(), who.models.end(), model) != who.models.end())
    return std::nullopt;
  std::string allowed;
  for (const auto& m : who.models)
    allowed += (allowed.empty() ? "" : ", ") + m;
  if (record)
    record_refusal(who, model, 403);
  return gateway::client_error{403,
                               "the key \"" + who.name + "\" may not use model \""
                                   + printable(model) + "\" (it may use: " + allowed + ")",
                               "model", 0, "model_not_allowed"};
}

void key_gate::admit(const key_pass& who, const std::string& model, const gateway::route& where,
                     std::shared_ptr<const chat_request> req, admitted then) {
  if (who.name.empty())
    return then(std::nullopt, key_ticket{"", model, 0});
  if (auto refused = refuse_model(who, model))
    return then(std::move(*refused), key_ticket{who.name, model, 0});
  key_ticket priced{who.name, model, 0};
  priced.budgeted = who.budgeted;
  auto use = estimate(who, where, *req, priced);
  // A budget holds only where prices are known: an answer of an unpriced candidate is charged
  // at the chain's dearest prices (settle), and a chain with none priced cannot be held to it.
  if (who.budgeted && !priced.dearest) {
    record_refusal(who, model, 403);
    return then(gateway::client_error{403,
                                      "the key \"" + who.name
                                          + "\" has a budget, and no model "
                                            "\""
                                          + printable(model)
                                          + "\" may use has a price to hold it to (give its "
                                            "alias a price, 0 for a free model)",
                                      "model", 0, "model_not_allowed"},
                priced);
  }
  writer_->admit(
      std::move(use), [this, who, priced, then = std::move(then)](result<store::key_admission> a) {
        auto ticket = priced;
        if (!a) {
          if (a.error().code == errc::auth) // revoked since authenticate()
            return then(unauthorized("the key \"" + who.name + "\" was revoked"), ticket);
          return then(store_failed(), ticket);
        }
        if (a->id == 0) {
          record_refusal(who, ticket.model, 429);
          bool budget = a->why == store::key_refusal::budget_day
                        || a->why == store::key_refusal::budget_total;
          return then(gateway::client_error{429, a->message, "", a->retry_after_s,
                                            budget ? "budget_exceeded" : "rate_limited"},
                      ticket);
        }
        ticket.reservation = a->id;
        then(std::nullopt, ticket);
      });
}

store::key_use key_gate::estimate(const key_pass& who, const gateway::route& where,
                                  const chat_request& req, key_ticket& ticket) const {
  // The worst case over the chain: any candidate may end up answering.
  auto prompt = cost::estimate_prompt_tokens(req);
  store::key_use use{who.name, 0, prompt, now_ms()};
  ticket.prompt_tokens = prompt;
  // Where each candidate goes and its max_tokens depend on the request's max_tokens alone: the
  // chain is resolved without the conversation and tools, which each candidate would copy.
  chat_request options;
  options.max_tokens = req.max_tokens;
  if (auto chain = routing::resolve_chain(*settings_, where.role, where.target, options)) {
    int64_t most_tokens = 0;
    for (const auto& c : *chain) {
      auto max_tokens = int64_t{c.request.max_tokens.value_or(0)};
      most_tokens = std::max(most_tokens, max_tokens);
      auto p = settings_->providers.find(c.where.provider);
      if (p == settings_->providers.end())
        continue; // alias@node: the node prices it; its key is this node's business
      auto a = settings_->models.find(c.where.alias);
      auto price = prices_.lookup(p->second, c.where.model,
                                  a == settings_->models.end() ? nullptr : &a->second);
      if (!price)
        continue;
      use.usd = std::max(use.usd, cost::estimate_request_usd(*price, prompt, max_tokens));
      if (!ticket.dearest)
        ticket.dearest.emplace();
      auto& dearest = *ticket.dearest;
      dearest.input_per_token = std::max(dearest.input_per_token, price->input_per_token);
      dearest.output_per_token = std::max(dearest.output_per_token, price->output_per_token);
    }
    use.tokens += most_tokens;
  }
  return use;
}

void key_gate::settle(const key_ticket& ticket, int status, const usage& tokens,
                      std::optional<double> usd) {
  // An unpriced candidate answered a budgeted key: at the chain's dearest prices, or it would
  // spend nothing of the budget.
  if (!usd && ticket.budgeted && ticket.dearest && status == 200)
    usd =
        cost::estimate_request_usd(*ticket.dearest, tokens.prompt_tokens, tokens.completion_tokens);
  writer_->settle(ticket.reservation,
                  store::key_request{ticket.name, ticket.model, now_ms(), tokens, usd, status});
}

void key_gate::settle_unanswered(const key_ticket& ticket, int status, std::size_t streamed_bytes,
                                 bool may_have_cost) {
  if (!may_have_cost)
    return settle(ticket, status, {}, std::nullopt);
  // What the upstream may bill: the whole prompt and what was streamed so far (the usage of a
  // stream comes with its end), at the dearest candidate's prices.
  usage tokens;
  tokens.prompt_tokens = ticket.prompt_tokens;
  tokens.completion_tokens = streamed_bytes == 0 ? 0 : cost::estimate_tokens(streamed_bytes);
  std::optional<double> usd;
  if (ticket.dearest)
    usd =
        cost::estimate_request_usd(*ticket.dearest, tokens.prompt_tokens, tokens.completion_tokens);
  settle(ticket, status, tokens, usd);
}

void key_gate::flush() {
  writer_->flush();
}

void key_gate::record_refusal(const key_pass& who, const std::string& model, int status) {
  {
    std::lock_guard<std::mutex> lock{refusals_mutex_};
    auto minute = now_ms() / 60'000;
    auto& seen = refusals_[who.name];
    if (seen.minute != minute)
      seen = refusal_count{minute, 0};
    if (++seen.count > refusals_per_minute)
      return;
  }
  // Nothing was sent: it cost nothing (not "unpriced").
  writer_->settle(0, store::key_request{who.name, model, now_ms(), {}, 0.0, status});
}

} // namespace et::app
