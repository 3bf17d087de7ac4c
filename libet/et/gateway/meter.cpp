#include "et/gateway/meter.hpp"

#include <algorithm>
#include <set>

namespace et::gateway {

namespace {

const char* name_of(protocol p) {
  return p == protocol::openai ? "openai" : "anthropic";
}

const char* yes_no(bool b) {
  return b ? "true" : "false";
}

// Every name a client or the router may use for a configured model.
std::set<std::string> configured_models(const config::settings& s) {
  std::set<std::string> names;
  for (const auto& [name, alias] : s.models) {
    names.insert(name);
    names.insert(alias.provider + "/" + alias.model);
  }
  for (const auto& [name, role] : s.roles)
    names.insert(name);
  names.erase("other");
  names.erase(std::string{no_model});
  return names;
}

} // namespace

std::string status_class(int status) {
  if (status < 100 || status > 599)
    return "other";
  return std::to_string(status / 100) + "xx";
}

std::string error_class(const client_error& e) {
  if (auto c = errc_from_string(e.code))
    return std::string{to_string(*c)};
  switch (e.status) {
    case 401:
    case 403:
      return "auth";
    case 404:
      return "not_found";
    case 429:
      return "rate_limited";
    case 503:
      return "overloaded";
    default:
      return e.status < 500 ? "invalid_input" : "server_error";
  }
}

meter::meter(const config::settings& s) : models_(configured_models(s)) {
  std::vector<std::string> req{"protocol", "model", "status_class"};
  requests_ =
      reg_.counter("et_gateway_requests_total",
                   "Answers on the chat endpoints, by client protocol, the model the client "
                   "named (configured names only, else \"other\"; \"none\" before the body "
                   "was decoded) and status class.",
                   req);
  errors_ = reg_.counter("et_gateway_errors_total",
                         "Error answers on the chat endpoints, by client protocol and et's error "
                         "class.",
                         {"protocol", "class"});
  tokens_ = reg_.counter("et_gateway_tokens_total",
                         "Tokens of answered requests, by the model that answered and kind "
                         "(prompt, completion).",
                         {"model", "kind"});
  usd_ = reg_.counter("et_gateway_cost_usd_total",
                      "Dollars of answered requests (priced ones), by the model that answered.",
                      {"model"});
  retries_ = reg_.counter("et_gateway_retries_total",
                          "Retries of the same candidate on the way to an answer (answered "
                          "requests only).",
                          {});
  fallbacks_ = reg_.counter("et_gateway_fallbacks_total",
                            "Candidates passed over on the way to an answer (answered requests "
                            "only), by reason and whether they were skipped untried (cooling "
                            "down or down).",
                            {"reason", "skipped"});
  in_flight_ = reg_.gauge("et_gateway_requests_in_flight",
                          "Chat requests decoded and routed, not yet answered (those waiting at "
                          "the key store included).",
                          {});
  connections_ = reg_.gauge("et_gateway_open_connections", "Client connections open now.", {});
  body_bytes_ = reg_.gauge("et_gateway_request_body_bytes",
                           "Bytes of request bodies held now: read, and not yet answered "
                           "(bounded by --max-bodies-mib).",
                           {});
  auto b = latency_buckets();
  total_ = reg_.histogram("et_gateway_request_duration_seconds",
                          "Chat requests from arrival (body read) to the last byte queued.",
                          {"protocol", "stream"}, b);
  router_ = reg_.histogram("et_gateway_router_duration_seconds",
                           "Time waiting for et's router: the upstream attempts, retries and "
                           "fallbacks, plus the router's own hand-offs.",
                           {"protocol", "stream"}, b);
  overhead_ = reg_.histogram("et_gateway_overhead_seconds",
                             "The gateway's own share of a routed request: total minus router "
                             "time (decoding, key admission, encoding).",
                             {"protocol", "stream"}, b);
  ttft_ = reg_.histogram("et_gateway_time_to_first_token_seconds",
                         "Streamed requests from arrival to the first content byte sent.",
                         {"protocol"}, b);
}

std::string meter::model_label(const std::string& model) const {
  return models_.fold(model);
}

void meter::request(protocol p, const std::string& model, int status,
                    std::string_view error_class) {
  reg_.add(requests_, {name_of(p), model, status_class(status)});
  if (!error_class.empty())
    reg_.add(errors_, {name_of(p), std::string{error_class}});
}

void meter::answered(const routed_response& r) {
  auto who = model_label(r.alias.empty() ? r.provider + "/" + r.model : r.alias);
  reg_.add(tokens_, {who, "prompt"}, static_cast<double>(r.response.tokens.prompt_tokens));
  reg_.add(tokens_, {who, "completion"}, static_cast<double>(r.response.tokens.completion_tokens));
  if (r.response.usd)
    reg_.add(usd_, {who}, *r.response.usd);
  // Each candidate tried took one first attempt: the answering one and every
  // one passed over after failing (not those skipped untried).
  int64_t tried = 1;
  for (const auto& f : r.fallbacks) {
    tried += f.skipped ? 0 : 1;
    reg_.add(fallbacks_, {std::string{to_string(f.reason)}, yes_no(f.skipped)});
  }
  if (r.attempts > tried)
    reg_.add(retries_, {}, static_cast<double>(r.attempts - tried));
}

void meter::timed(protocol p, bool stream, seconds total, std::optional<seconds> router) {
  reg_.observe(total_, {name_of(p), yes_no(stream)}, total.count());
  if (!router)
    return;
  reg_.observe(router_, {name_of(p), yes_no(stream)}, router->count());
  reg_.observe(overhead_, {name_of(p), yes_no(stream)}, std::max(0.0, (total - *router).count()));
}

void meter::first_token(protocol p, seconds ttft) {
  reg_.observe(ttft_, {name_of(p)}, ttft.count());
}

std::string meter::render(int64_t in_flight, std::optional<std::size_t> connections,
                          std::optional<std::size_t> body_bytes) {
  reg_.set(in_flight_, {}, static_cast<double>(in_flight));
  if (connections)
    reg_.set(connections_, {}, static_cast<double>(*connections));
  if (body_bytes)
    reg_.set(body_bytes_, {}, static_cast<double>(*body_bytes));
  return reg_.render();
}

} // namespace et::gateway
