// The gateway's small shared pieces (see gateway_state.hpp): which API a path is, what
// /metrics counts of a request, and error replies.

#include "caf/all.hpp"
#include "et/app/gateway_door.hpp"
#include "et/app/gateway_state.hpp"
#include "et/util/text.hpp"

namespace et::app {

using et::gateway::protocol;
using state_ptr = std::shared_ptr<http_gateway::state>;

std::string path_of(const std::string& target) {
  return target.substr(0, target.find('?'));
}

// The chat endpoint at `path`, if it is one.
std::optional<gateway::surface> chat_surface(const std::string& path) {
  if (path == "/v1/chat/completions")
    return gateway::surface::chat_completions;
  if (path == "/v1/messages")
    return gateway::surface::messages;
  if (path == "/v1/responses")
    return gateway::surface::responses;
  return std::nullopt;
}

// Anthropic's endpoints.
bool anthropic_path(const std::string& path) {
  return path == "/v1/messages" || path == count_tokens_path;
}

// Anthropic's endpoints, or any request that carries anthropic-version (its
// SDKs always send it), get Anthropic's shapes; everything else OpenAI's.
protocol protocol_for(const std::string& path, const http::incoming& in) {
  return anthropic_path(path) || in.has_header("anthropic-version") ? protocol::anthropic
                                                                    : protocol::openai;
}

void count(const state_ptr& st, const tally& t, int status, const gateway::client_error* e) {
  using seconds = gateway::meter::seconds;
  st->metrics->request(t.proto, t.model, status, e ? gateway::error_class(*e) : "");
  auto now = clock_type::now();
  std::optional<seconds> router;
  if (t.asked)
    router = t.answered.value_or(now) - *t.asked;
  st->metrics->timed(t.proto, t.stream, now - t.t0, router);
}

std::string answered_by(const routed_response& r) {
  auto where = r.provider + "/" + r.model;
  return r.alias.empty() ? where : r.alias + " (" + where + ")";
}

// Client bytes (`what`) and the message go in one bounded line each; secrets never.
void log_refusal(const state_ptr& st, std::string_view what, const gateway::client_error& e) {
  if (st->setup.log)
    st->setup.log(printable(what, 512) + " -> " + std::to_string(e.status)
                  + (e.code.empty() ? "" : " " + e.code) + ": "
                  + printable(scrub(e.message, st->secrets), 2048));
}

// Sends `e`; a chat request (`counted` set) is counted for /metrics first.
void send_error(const state_ptr& st, http::reply& out, protocol p, gateway::client_error e,
                const tally* counted, std::string_view what) {
  if (counted)
    count(st, *counted, e.status, &e);
  e.message = scrub(std::move(e.message), st->secrets);
  if (!what.empty())
    log_refusal(st, what, e);
  out.send(e.status, error_headers(e), gateway::error_body(p, e));
}

} // namespace et::app
