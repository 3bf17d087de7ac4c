// POST /v1/messages/count_tokens: Claude Code asks it at start and as a conversation grows (to
// decide when to compact); without it, it falls back to estimates. The router counts with the
// first candidate that can (Anthropic, Gemini, the mock); others are passed over.

#include "caf/all.hpp"
#include "et/app/gateway_door.hpp"
#include "et/app/gateway_state.hpp"
#include "et/gateway/errors.hpp"
#include "et/gateway/response.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace {

using et::gateway::protocol;

// One count in flight: its connection and its log line.
struct count_call {
  std::shared_ptr<http_gateway::state> st;
  std::shared_ptr<http::reply> out;
  std::string what; ///< "POST /v1/messages/count_tokens model=x", for the log

  void log(const std::string& outcome) const {
    if (st->setup.log)
      st->setup.log(printable(what, 512) + " -> " + printable(outcome, 2048));
  }

  // `routed`: the router's failure, whose upstream addresses the log keeps and the client
  // does not see.
  void refuse(gateway::client_error e, bool routed = false) const {
    log(std::to_string(e.status) + " " + e.code + ": " + scrub(e.message, st->secrets));
    if (routed)
      e.message = config::hide_places(e.message, st->places);
    send_error(st, *out, protocol::anthropic, std::move(e));
  }

  void done(result<routed_response> r, std::optional<errc> cause) const {
    struct count_out {
      std::atomic<int64_t>& n;
      ~count_out() { --n; }
    } guard{st->in_flight};
    if (!r)
      return refuse(gateway::error_for(protocol::anthropic, r.error(), cause), true);
    auto by = answered_by(*r);
    auto h = json_type;
    h.emplace_back("x-et-answered-by", by);
    auto n = r->response.tokens.prompt_tokens;
    out->send(200, std::move(h), gateway::anthropic_count(n));
    log("200 ok, counted by " + by + ": " + std::to_string(n) + " input tokens");
  }
};

} // namespace

void count_tokens(const std::shared_ptr<http_gateway::state>& st, const key_pass& who,
                  http::incoming in, std::shared_ptr<http::reply> out) {
  auto call =
      std::make_shared<count_call>(count_call{st, out,
                                              in.method + " " + std::string{count_tokens_path}
                                                  + (who.name.empty() ? "" : " key=" + who.name)});
  if (st->draining)
    return call->refuse({503, "the gateway is shutting down", "", 0, "node_down"});
  auto parsed = gateway::parse_anthropic_count_request(in.body, st->setup.bounds);
  if (!parsed)
    return call->refuse(gateway::error_for(protocol::anthropic, parsed.error()));
  call->what += " model=" + parsed->model;
  auto where = gateway::route_model(*st->setup.settings, parsed->model);
  if (!where) {
    auto e = gateway::error_for(protocol::anthropic, where.error());
    e.param = "model";
    return call->refuse(std::move(e));
  }
  // Not on the key's record, like everything about a count.
  if (auto refused = st->keys->refuse_model(who, parsed->model, false))
    return call->refuse(std::move(*refused));
  ++st->in_flight; // a drain waits for it like for an answer
  auto id = st->next_id++;
  st->calls->count(role_request{id, where->role, where->target, std::move(parsed->request)},
                   {{}, [call](result<routed_response> r, std::optional<errc> cause) {
                      call->done(std::move(r), cause);
                    }});
  out->on_close([st, id] { st->calls->cancel(id); });
}

} // namespace et::app
