#include "et/app/gateway.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <variant>

#include "caf/all.hpp"
#include "et/actors/gateway_calls.hpp"
#include "et/app/gateway_door.hpp"
#include "et/app/gateway_keys.hpp"
#include "et/app/gateway_state.hpp"
#include "et/gateway/errors.hpp"
#include "et/gateway/meter.hpp"
#include "et/gateway/models.hpp"
#include "et/gateway/renderer.hpp"
#include "et/util/text.hpp"
#include "et/util/url.hpp"

namespace et::app {

using et::gateway::protocol;

namespace {

using state_ptr = std::shared_ptr<http_gateway::state>;

int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// One chat request from its decoding to its last byte. Its callbacks run on
// the call actor, one at a time.
struct exchange {
  state_ptr st;
  protocol proto;
  std::shared_ptr<http::reply> out;
  std::optional<gateway::renderer> render; ///< the answer in its client's API
  bool stream = false;
  bool started = false;     ///< the stream's head and first events went out
  key_ticket ticket;        ///< settled with the answer
  tally counted;            ///< for /metrics; its t0 is the request's arrival
  std::string what;         ///< "POST /v1/messages model=x stream", for the log
  tool_policy tools;        ///< what the client allows of the model's tool calls
  std::size_t streamed = 0; ///< bytes of text and thinking the router relayed
  bool settled = false;     ///< the ticket was settled (exactly once, whatever ends it)

  // A request dropped unanswered (the gateway stopped with it in flight) is still charged
  // for what it streamed.
  ~exchange() {
    if (!settled)
      st->keys->settle_unanswered(ticket, 503, streamed, started || streamed > 0);
  }

  void settle(int status, const usage& tokens, std::optional<double> usd) {
    settled = true;
    st->keys->settle(ticket, status, tokens, usd);
  }

  // A failure may still have cost something upstream: the router says so of one with an
  // attempt that broke off or timed out after it was sent (failure::billed), and text may
  // have streamed (a client that hung up after it too). One that never reached a provider (a
  // budget check, a backoff, a stop, no connection) is not charged.
  void settle_failed(int status, const failure& f) {
    settled = true;
    st->keys->settle_unanswered(ticket, status, streamed, started || streamed > 0 || f.billed);
  }

  void log(const std::string& outcome) const {
    if (!st->setup.log)
      return;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - counted.t0);
    // The model name and messages carry client bytes: one line each, bounded.
    st->setup.log(printable(what, 512) + " -> " + printable(outcome, 2048) + ", "
                  + std::to_string(ms.count()) + " ms");
  }

  // The stream's head and opening events go out only with the first text (`events`):
  // until then the router may still fall back, and a failure is still an ordinary HTTP
  // error. One hop to the connection for all of it.
  void begin(std::string events) {
    out->start(200,
               {{"Content-Type", "text/event-stream"},
                {"Cache-Control", "no-cache"},
                {"X-Accel-Buffering", "no"}},
               render->start() + events);
    started = true;
    st->metrics->first_token(proto, clock_type::now() - counted.t0);
  }

  void chunk(const stream_chunk& c) {
    streamed += c.delta.text.size() + c.delta.reasoning.size();
    auto events = render->piece(c.delta);
    if (events.empty())
      return; // thinking the client did not ask to see
    if (!started)
      return begin(std::move(events));
    out->write(std::move(events));
  }

  void fail(gateway::client_error e) {
    // The log keeps the upstreams' addresses; the client does not see them. Hidden before
    // the scrub, which could cut a secret out of a host name and leave the rest of it.
    auto said = std::move(e.message);
    // A stream already begun got 200 and then an error event: the log says so.
    log((started ? "200 then error event " : std::to_string(e.status) + " ") + e.code + ": "
        + scrub(said, st->secrets));
    e.message = scrub(config::hide_places(said, st->places), st->secrets);
    count(st, counted, started ? 200 : e.status, &e);
    if (started) {
      // After the first byte no fallback is possible: the stream ends with an
      // error event, never with the protocol's clean end.
      out->end(render->fail(e));
      return;
    }
    out->send(e.status, error_headers(e), gateway::error_body(proto, e));
  }

  void done(result<routed_response> r, std::optional<errc> cause) {
    // Counted out only once the answer is queued on the connection, so a
    // draining gateway that sees none in flight has every last byte on its way.
    struct count_out {
      std::atomic<int64_t>& n;
      ~count_out() { --n; }
    } guard{st->in_flight};
    counted.answered = clock_type::now();
    if (r)
      st->metrics->answered(*r);
    if (!r) {
      auto e = gateway::error_for(proto, r.error(), cause);
      settle_failed(e.status, r.error());
      return fail(std::move(e));
    }
    auto dropped = gateway::hold_to_policy(r->response, tools);
    if (auto ok = gateway::check_relayable(proto, r->response); !ok) {
      auto e = gateway::error_for(proto, ok.error());
      e.status = 502; // the model's doing, not the client's
      settle(e.status, r->response.tokens, r->response.usd);
      return fail(std::move(e));
    }
    settle(200, r->response.tokens, r->response.usd);
    const auto& answer = r->response;
    auto by = answered_by(*r);
    count(st, counted, 200, nullptr);
    if (!stream) {
      auto h = json_type;
      h.emplace_back("x-et-answered-by", by);
      out->send(200, std::move(h), render->whole(answer));
    } else {
      if (!started)
        begin({});
      out->end(render->finish(answer));
    }
    // After the answer is on its way: the log line is not on the client's clock.
    log("200 ok, answered by " + by + ", " + std::to_string(answer.tokens.prompt_tokens) + "+"
        + std::to_string(answer.tokens.completion_tokens) + " tokens"
        + (r->fallbacks.empty() ? "" : ", " + std::to_string(r->fallbacks.size()) + " fallbacks")
        + (dropped == 0     ? ""
           : tools.no_calls ? ", " + std::to_string(dropped) + " tool calls dropped (none asked)"
                            : ", " + std::to_string(dropped)
                                  + " tool calls past the first dropped (one a turn asked)"));
  }
};

// Asks the router for an admitted request; in_flight counts it already.
void start_call(const state_ptr& st, gateway::surface api, const std::shared_ptr<http::reply>& out,
                gateway::client_request parsed, const gateway::route& where, std::string what,
                key_ticket ticket, tally counted) {
  auto id = st->next_id++;
  auto ex = std::make_shared<exchange>();
  ex->st = st;
  ex->proto = gateway::protocol_of(api);
  ex->out = out;
  ex->stream = parsed.stream;
  ex->ticket = std::move(ticket);
  ex->counted = std::move(counted);
  ex->counted.asked = clock_type::now();
  gateway::answer_meta meta{
      gateway::answer_id(api, id - actors::gateway_request_ids),
      parsed.model,
      unix_now(),
      parsed.show_thinking,
      std::move(parsed.freeform_tools),
      parsed.carry_thoughts,
      parsed.echo.empty() ? nullptr : std::make_shared<const std::string>(std::move(parsed.echo))};
  ex->render.emplace(api, std::move(meta), parsed.include_usage);
  ex->what = std::move(what);
  ex->tools = parsed.request.tool_use;
  role_request req{id, where.role, where.target, std::move(parsed.request)};
  // Thinking this client never sees (not asked for, not carried in reasoning items) keeps a
  // failing stream able to fall back: until text, nothing reached the client.
  req.reasoning_unseen = !parsed.show_thinking && !parsed.carry_thoughts;
  st->calls->start(std::move(req), ex->stream,
                   {[ex](const stream_chunk& c) { ex->chunk(c); },
                    [ex](result<routed_response> r, std::optional<errc> cause) {
                      ex->done(std::move(r), cause);
                    }});
  // A client that hangs up cancels its request: the router stops the attempt.
  out->on_close([st, id] { st->calls->cancel(id); });
}

// The request body of `api`, decoded.
result<gateway::client_request> parse(gateway::surface api, const std::string& body,
                                      const gateway::limits& bounds) {
  switch (api) {
    case gateway::surface::messages:
      return gateway::parse_anthropic_request(body, bounds);
    case gateway::surface::responses:
      return gateway::parse_responses_request(body, bounds);
    case gateway::surface::chat_completions:
      break;
  }
  return gateway::parse_openai_request(body, bounds);
}

void chat(const state_ptr& st, gateway::surface api, const key_pass& who, http::incoming in,
          std::shared_ptr<http::reply> out, tally counted) {
  auto p = gateway::protocol_of(api);
  auto asked = in.method + " " + path_of(in.target) + (who.name.empty() ? "" : " key=" + who.name);
  if (st->draining)
    return send_error(st, *out, p, {503, "the gateway is shutting down", "", 0, "node_down"},
                      &counted, asked);
  auto parsed = parse(api, in.body, st->setup.bounds);
  if (!parsed) {
    auto e = gateway::error_for(p, parsed.error());
    st->keys->record_refusal(who, "", e.status);
    return send_error(st, *out, p, std::move(e), &counted, asked);
  }
  counted.model = st->metrics->model_label(parsed->model);
  counted.stream = parsed->stream;
  auto where = gateway::route_model(*st->setup.settings, parsed->model);
  if (!where) {
    auto e = gateway::error_for(p, where.error());
    e.param = "model";
    st->keys->record_refusal(who, parsed->model, e.status);
    return send_error(st, *out, p, std::move(e), &counted, asked + " model=" + parsed->model);
  }
  // Counted from here: a drain waits for requests still at the key store too.
  ++st->in_flight;
  auto what = asked + " model=" + parsed->model + (parsed->stream ? " stream" : "");
  auto req = std::make_shared<gateway::client_request>(std::move(*parsed));
  auto route = *where;
  st->keys->admit(who, req->model, route, std::shared_ptr<const chat_request>{req, &req->request},
                  [st, api, p, out, req, route, what,
                   counted](std::optional<gateway::client_error> refused, key_ticket ticket) {
                    if (refused) {
                      --st->in_flight;
                      return send_error(st, *out, p, std::move(*refused), &counted, what);
                    }
                    start_call(st, api, out, std::move(*req), route, what, std::move(ticket),
                               counted);
                  });
}

} // namespace

void handle(const state_ptr& st, http::incoming in, std::shared_ptr<http::reply> out) {
  auto a = arrive(in);
  auto who = door(st, in, a, *out);
  if (!who)
    return;
  const auto& path = a.path;
  auto p = a.p;
  const auto* chat_tally = a.chat_tally();
  auto wrong_method = [&](const char* allowed) {
    gateway::client_error e{405,
                            printable(in.method, 32) + " is not allowed on " + printable(path)
                                + " (use " + allowed + ")",
                            "", 0, ""};
    if (chat_tally)
      count(st, *chat_tally, 405, &e);
    log_refusal(st, in.method + " " + path, e);
    auto h = error_headers(e);
    h.emplace_back("Allow", allowed);
    out->send(405, std::move(h), gateway::error_body(p, e));
  };
  if (path == "/health") {
    if (in.method != "GET")
      return wrong_method("GET");
    bool draining = st->draining;
    return out->send(draining ? 503 : 200, json_type,
                     draining ? R"({"status":"draining"})" : R"({"status":"ok"})");
  }
  if (path == "/metrics") {
    if (in.method != "GET")
      return wrong_method("GET");
    std::optional<std::size_t> conns, bodies;
    if (st->server) {
      conns = st->server->connections();
      bodies = st->server->body_bytes();
    }
    return out->send(200, {{"Content-Type", std::string{gateway::metrics_content_type}}},
                     st->metrics->render(st->in_flight, conns, bodies));
  }
  if (path == "/v1/models") {
    if (in.method != "GET")
      return wrong_method("GET");
    // A key held to --models sees those, not what it would be refused.
    auto offered = gateway::offered_models(*st->setup.settings);
    if (!who->models.empty())
      std::erase_if(offered, [&](const gateway::offered_model& m) {
        return std::find(who->models.begin(), who->models.end(), m.id) == who->models.end();
      });
    return out->send(200, json_type, gateway::models_list(p, offered));
  }
  if (a.api) {
    if (in.method != "POST")
      return wrong_method("POST");
    return chat(st, *a.api, *who, std::move(in), std::move(out), *a.counted);
  }
  if (path == count_tokens_path) {
    if (in.method != "POST")
      return wrong_method("POST");
    return count_tokens(st, *who, std::move(in), std::move(out));
  }
  send_error(st, *out, p,
             {404,
              "no route for " + printable(in.method, 32) + " " + printable(path)
                  + " (this gateway serves POST /v1/chat/completions, POST /v1/responses, POST "
                    "/v1/messages, POST /v1/messages/count_tokens, GET /v1/models, GET /metrics "
                    "and GET /health)",
              "", 0, "not_found"},
             nullptr, in.method + " " + path);
}

// Before a body is read: a client refused at the door is answered at once, so one without a
// key cannot make the gateway read and hold a body of up to 32 MiB. The door is passed again
// with the body (handle), so a key revoked in between is noticed. Only a POST to a chat or
// counting endpoint is read with its body: any other request that has one (a POST to
// /health, open without a key, or to a route that is not there) gets its answer, 404 or 405,
// from its head alone.
bool admit_head(const state_ptr& st, const http::incoming& head,
                const std::shared_ptr<http::reply>& out) {
  auto a = arrive(head);
  bool reads_body = head.method == "POST" && (a.api || a.path == count_tokens_path);
  if (!reads_body) {
    handle(st, head, out);
    return false;
  }
  return door(st, head, a, *out).has_value();
}

} // namespace et::app
