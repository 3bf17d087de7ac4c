#include "et/actors/node.hpp"

#include <map>
#include <set>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/health.hpp"
#include "et/config/places.hpp"
#include "et/util/in_flight.hpp"
#include "et/util/version.hpp"

namespace et::actors {

namespace {

using clock_type = caf::actor_clock::clock_type;

// One request in flight, under the node's own id: callers number their
// requests independently, so their ids may collide here.
struct node_job {
  caf::actor_addr caller;                               ///< who asked
  uint64_t caller_id = 0;                               ///< the caller's id for it
  std::string alias;                                    ///< what it asked for
  bool streaming = false;                               ///< stream or complete
  chunk_sink sink;                                      ///< where pieces go
  clock_type::time_point started;                       ///< arrival
  caf::typed_response_promise<routed_response> promise; ///< the caller's answer
};

struct node_state {
  node_setup setup;
  util::in_flight<uint64_t, node_job> jobs; // by the node's id; a job ends once, by take
  std::map<std::pair<caf::actor_addr, uint64_t>, uint64_t> by_caller;
  std::set<caf::actor_addr> watched;
  uint64_t next_id = 1;
  int64_t served = 0;
  bool draining = false;
  std::vector<caf::typed_response_promise<int64_t>> drained;
  health_actor health;               ///< checks this host's Ollama providers for status
  std::vector<config::place> places; ///< this host's upstream addresses, kept from callers
  clock_type::time_point started;
  static inline const char* name = "et.node";
};

using node_pointer = node_impl::stateful_pointer<node_state>;

// Why the node will not take `req` now, if it will not.
std::optional<failure> refusal(const node_state& st, const role_request& req) {
  const auto& s = *st.setup.settings;
  if (st.draining)
    return make_failure(errc::node_down, "node " + st.setup.name + " is shutting down");
  if (static_cast<int64_t>(st.jobs.size()) >= s.server.max_in_flight)
    return make_failure(errc::overloaded, "node " + st.setup.name + " is at max_in_flight ("
                                              + std::to_string(s.server.max_in_flight) + ")");
  // Only aliases: a caller must not reach providers or other nodes by name.
  if (!s.models.count(req.target))
    return make_failure(errc::not_found,
                        "node " + st.setup.name + " has no alias \"" + req.target + "\"");
  if (auto problem = routing::remote_request_problem(req.request); !problem.empty())
    return make_failure(errc::invalid_input,
                        "node " + st.setup.name + " takes no such request: " + problem);
  return std::nullopt;
}

void log_request(node_pointer self, const std::string& alias, bool streaming,
                 clock_type::time_point started, const usage& tokens, const failure* f) {
  auto& log = self->state.setup.log;
  if (!log)
    return;
  auto latency =
      std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now() - started);
  log(routing::format_request_log({alias, streaming, tokens, latency,
                                   f ? std::string{to_string(f->code)} : "ok",
                                   f ? f->message : ""}));
}

// Counts job `j` (taken out of the table and answered) and, when draining, tells the owner
// once nothing is left.
void finished(node_pointer self, const node_job& j) {
  auto& st = self->state;
  st.by_caller.erase({j.caller, j.caller_id});
  ++st.served;
  if (st.draining && st.jobs.empty()) {
    for (auto& rp : st.drained)
      rp.deliver(st.served);
    st.drained.clear();
  }
}

caf::typed_response_promise<routed_response> start(node_pointer self, role_request req,
                                                   bool streaming) {
  auto& st = self->state;
  // make_response_promise() takes the sender out of the current message.
  auto sender = self->current_sender();
  auto promise = self->make_response_promise<routed_response>();
  if (auto no = refusal(st, req)) {
    log_request(self, req.target, streaming, self->clock().now(), usage{}, &*no);
    promise.deliver(to_caf(*no));
    return promise;
  }
  auto id = st.next_id++;
  node_job j;
  j.caller_id = req.id;
  j.alias = req.target;
  j.streaming = streaming;
  j.started = self->clock().now();
  j.promise = promise;
  if (sender) {
    j.caller = sender->address();
    j.sink = caf::actor_cast<chunk_sink>(sender);
    // One monitor per caller: losing it (or its connection) cancels its work.
    if (st.watched.insert(j.caller).second)
      self->monitor(caf::actor_cast<caf::actor>(sender));
  }
  st.by_caller[{j.caller, j.caller_id}] = id;
  st.jobs.add(id, std::move(j));
  // The caller's role name is a claim, not an identity: the ledger, budgets
  // and logs see every caller as remote_role. The node pays, so its limits win.
  const auto& alias = st.setup.settings->models.at(req.target);
  role_request forwarded{
      id, routing::remote_role, req.target,
      routing::clamp_remote_request(*st.setup.settings, alias, std::move(req.request))};
  auto on_ok = [=](routed_response& r) {
    auto done = self->state.jobs.take(id);
    if (!done)
      return;
    log_request(self, done->alias, done->streaming, done->started, r.response.tokens, nullptr);
    done->promise.deliver(std::move(r));
    finished(self, *done);
  };
  auto on_err = [=](caf::error& e) {
    auto done = self->state.jobs.take(id);
    if (!done)
      return;
    auto f = from_caf(e);
    log_request(self, done->alias, done->streaming, done->started, usage{}, &f);
    // The log keeps this host's upstream addresses; the caller (and its gateway's clients)
    // learns which deployment failed, not where it lives.
    f.message = config::hide_places(f.message, self->state.places);
    done->promise.deliver(to_caf(f));
    finished(self, *done);
  };
  // The router bounds every attempt with the provider's timeouts, so it
  // always answers; the caller bounds the whole exchange with its own.
  if (streaming)
    self->request(st.setup.router, caf::infinite, stream_atom::value, std::move(forwarded))
        .then(on_ok, on_err);
  else
    self->request(st.setup.router, caf::infinite, complete_atom::value, std::move(forwarded))
        .then(on_ok, on_err);
  return promise;
}

void relay(node_pointer self, const stream_chunk& c) {
  auto* j = self->state.jobs.find(c.id);
  if (!j || !j->sink)
    return;
  self->send(j->sink, chunk_atom::value, stream_chunk{j->caller_id, c.seq, c.delta});
}

// The router answers each cancelled request with errc::cancelled, which
// finishes its job as any failure does.
template <class Predicate>
void cancel_where(node_pointer self, Predicate matches) {
  self->state.jobs.for_each([&](uint64_t id, const node_job& j) {
    if (matches(j))
      self->send(self->state.setup.router, cancel_atom::value, id);
  });
}

// Adds the spend to `out` and answers: spend is a detail of status, so a slow
// ledger must not hide the node.
void answer_with_spend(node_pointer self, std::shared_ptr<routing::node_status> out,
                       caf::typed_response_promise<routing::node_status> rp) {
  if (!self->state.setup.ledger) {
    rp.deliver(std::move(*out));
    return;
  }
  self->request(self->state.setup.ledger, std::chrono::seconds{5}, summary_atom::value)
      .then(
          [=](const cost::cost_report& report) mutable {
            out->usd = report.usd;
            rp.deliver(std::move(*out));
          },
          [=](caf::error&) mutable { rp.deliver(std::move(*out)); });
}

caf::typed_response_promise<routing::node_status> status(node_pointer self) {
  auto& st = self->state;
  auto out = std::make_shared<routing::node_status>();
  out->name = st.setup.name;
  out->version = std::string{version_describe()};
  out->aliases = routing::node_aliases(*st.setup.settings);
  out->in_flight = static_cast<int64_t>(st.jobs.size());
  out->max_in_flight = st.setup.settings->server.max_in_flight;
  out->served = st.served;
  out->uptime_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now() - st.started)
          .count();
  out->tls = st.setup.tls;
  auto rp = self->make_response_promise<routing::node_status>();
  // The probe bounds each provider by health_timeout; this bound only
  // catches a probe that never answers.
  self->request(st.health, caf::timespan{health_timeout + std::chrono::seconds{1}},
                status_atom::value)
      .then(
          [=](std::vector<routing::provider_health>& rows) {
            out->ollama = std::move(rows);
            answer_with_spend(self, out, rp);
          },
          [=](caf::error&) { answer_with_spend(self, out, rp); });
  return rp;
}

node_impl::behavior_type node(node_pointer self, node_setup setup) {
  self->state.setup = std::move(setup);
  self->state.places = config::upstream_places(*self->state.setup.settings);
  self->state.started = self->clock().now();
  // Linked: the probe goes with the node.
  self->state.health =
      spawn_health_probe(self->system(), self->state.setup.settings, self->state.setup.router);
  self->link_to(self->state.health);
  self->set_down_handler([=](caf::down_msg& msg) {
    self->state.watched.erase(msg.source);
    cancel_where(self, [&](const node_job& j) { return j.caller == msg.source; });
  });
  return {
      [=](status_atom) { return status(self); },
      [=](complete_atom, role_request& req) { return start(self, std::move(req), false); },
      [=](stream_atom, role_request& req) { return start(self, std::move(req), true); },
      [=](cancel_atom, uint64_t caller_id) {
        auto sender = self->current_sender();
        auto key = std::make_pair(sender ? sender->address() : caf::actor_addr{}, caller_id);
        if (auto i = self->state.by_caller.find(key); i != self->state.by_caller.end())
          self->send(self->state.setup.router, cancel_atom::value, i->second);
      },
      [=](chunk_atom, const stream_chunk& c) { relay(self, c); },
      [=](drain_atom) -> caf::typed_response_promise<int64_t> {
        auto& st = self->state;
        st.draining = true;
        auto rp = self->make_response_promise<int64_t>();
        if (st.jobs.empty())
          rp.deliver(st.served);
        else
          st.drained.push_back(rp);
        return rp;
      },
      [=](cancel_atom) { cancel_where(self, [](const node_job&) { return true; }); },
      [=](inflight_atom) { return static_cast<int64_t>(self->state.jobs.size()); },
  };
}

} // namespace

node_impl spawn_node(caf::actor_system& sys, node_setup setup) {
  return sys.spawn(node, std::move(setup));
}

} // namespace et::actors
