#include "et/actors/roles/pool.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/error_cause.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/roles/polecat.hpp"
#include "et/actors/roles/pool_state.hpp"

// The pool is a mailbox around roles::pool_policy: each handler turns a
// message into a policy event and carries out the commands it returns.

namespace et::actors {

namespace {

using namespace pool_detail;
using pool_pointer = pool_actor::stateful_pointer<pool_state>;
using outcomes = std::vector<roles::subtask_outcome>;

void carry_out(pool_pointer self, roles::pool_commands commands);

// Relays one attempt's streamed pieces to the observer as byte counts, so the
// view shows live progress without the pool handling every piece.
chunk_sink::behavior_type forwarder(chunk_sink::pointer self, progress_sink observer, int number) {
  return {[=](chunk_atom, const stream_chunk& piece) {
    auto bytes = static_cast<int64_t>(piece.delta.text.size());
    self->send(observer, status_atom::value,
               roles::progress{number, roles::progress::streamed{bytes}});
  }};
}

void stop_forwarder(pool_state& st, int number) {
  if (auto i = st.forwarders.find(number); i != st.forwarders.end()) {
    caf::anon_send_exit(i->second, caf::exit_reason::user_shutdown);
    st.forwarders.erase(i);
  }
}

// Stops every worker and forwarder. Unlinked first: a linked worker's exit
// (also when it is merely dropped and destroyed) would take the pool along.
void retire_workers(pool_pointer self) {
  auto& st = self->state;
  for (auto& [where, worker] : st.workers) {
    self->unlink_from(worker);
    caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
  }
  st.workers.clear();
  for (auto& [number, f] : st.forwarders)
    caf::anon_send_exit(f, caf::exit_reason::user_shutdown);
  st.forwarders.clear();
}

polecat_actor worker_for(pool_pointer self, const roles::dispatch_job& d) {
  auto& st = self->state;
  auto& worker = st.workers[{d.lane, d.slot}];
  if (!worker) {
    const auto& lane = st.policy.lanes()[d.lane];
    worker = spawn_polecat(self->system(), st.setup.router, *st.setup.settings, d.target, lane.role,
                           lane.system_prompt);
    // Linked: workers never outlive the pool.
    self->link_to(worker);
  }
  return worker;
}

// The handlers below run a reply only if it belongs to the execution that
// asked: one from before a cancel and a new start finds nothing to update.
bool current(pool_pointer self, uint64_t generation) {
  return self->state.generation == generation;
}

void dispatch(pool_pointer self, roles::dispatch_job& d) {
  auto& st = self->state;
  auto worker = worker_for(self, d);
  auto number = d.number;
  auto generation = st.generation;
  auto ok = [=](routed_response& r) {
    if (!current(self, generation))
      return;
    stop_forwarder(self->state, number);
    carry_out(self, self->state.policy.answered(
                        number, roles::attempt_answer{std::move(r.response.content),
                                                      r.response.tokens, r.response.usd.value_or(0),
                                                      std::move(r.provider), std::move(r.model)}));
  };
  auto err = [=](caf::error& e) {
    if (!current(self, generation))
      return;
    stop_forwarder(self->state, number);
    auto f = from_caf(e);
    // A member is one explicit target: when the router gave up on it, why it failed is the
    // cause, which is what the pool's fallback to the next member reports.
    if (auto cause = cause_of(e); cause && f.code == errc::all_failed) {
      f.code = cause->code;
      f.http_status = cause->http_status;
    }
    carry_out(self, self->state.policy.attempt_failed(number, f.code, f.message, f.http_status));
  };
  if (st.setup.observer) {
    auto relay = self->spawn(forwarder, st.setup.observer, number);
    st.forwarders[number] = relay;
    self->request(worker, caf::infinite, stream_atom::value, std::move(d.order), relay)
        .then(ok, err);
  } else {
    self->request(worker, caf::infinite, execute_atom::value, std::move(d.order)).then(ok, err);
  }
}

void review(pool_pointer self, roles::review_job& r) {
  auto number = r.number;
  auto generation = self->state.generation;
  self->request(self->state.setup.witness, caf::infinite, review_atom::value, std::move(r.request))
      .then(
          [=](roles::verdict& v) {
            if (current(self, generation))
              carry_out(self, self->state.policy.reviewed(number, v.score, v.note));
          },
          [=](caf::error& e) {
            if (current(self, generation))
              carry_out(self, self->state.policy.review_failed(number, from_caf(e).message));
          });
}

void carry_out(pool_pointer self, roles::pool_commands commands) {
  auto& st = self->state;
  for (auto& c : commands) {
    if (auto* d = std::get_if<roles::dispatch_job>(&c)) {
      dispatch(self, *d);
    } else if (auto* r = std::get_if<roles::review_job>(&c)) {
      review(self, *r);
    } else if (auto* p = std::get_if<roles::progress>(&c)) {
      if (st.setup.observer)
        self->send(st.setup.observer, status_atom::value, std::move(*p));
    } else if (auto* o = std::get_if<roles::deliver_outcomes>(&c)) {
      if (st.reply) {
        auto rp = std::move(*st.reply);
        st.reply.reset();
        rp.deliver(std::move(o->outcomes));
      }
    }
  }
}

caf::typed_response_promise<outcomes> begin(pool_pointer self, roles::execution exec) {
  auto& st = self->state;
  auto rp = self->make_response_promise<outcomes>();
  if (st.reply) {
    rp.deliver(to_caf(failure{errc::invalid_input, "the pool is already running an execution"}));
    return rp;
  }
  // A new execution runs on fresh workers.
  retire_workers(self);
  ++st.generation;
  if (!st.setup.witness)
    exec.review.enabled = false;
  st.reply = rp;
  carry_out(self, st.policy.start(std::move(exec)));
  return rp;
}

pool_actor::behavior_type pool(pool_pointer self, pool_setup setup) {
  self->state.setup = std::move(setup);
  return {
      [=](execute_atom, roles::execution& exec) { return begin(self, std::move(exec)); },
      [=](cancel_atom) {
        // Workers die with their requests (the router then cancels them at the
        // provider); the pool does not wait for their errors, whose arrival a
        // dead actor's promises do not guarantee. Late replies find their job over.
        retire_workers(self);
        carry_out(self, self->state.policy.cancel());
      },
  };
}

} // namespace

pool_actor spawn_pool(caf::actor_system& sys, pool_setup setup) {
  return sys.spawn(pool, std::move(setup));
}

} // namespace et::actors
