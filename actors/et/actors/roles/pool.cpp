#include "et/actors/roles/pool.hpp"

#include "caf/all.hpp"
#include "et/actors/errors.hpp"
#include "et/actors/inspect.hpp"
#include "et/actors/roles/polecat.hpp"
#include "et/actors/roles/pool_state.hpp"

namespace et::actors {

namespace {

using namespace pool_detail;
using pool_pointer = pool_actor::stateful_pointer<pool_state>;
using outcomes = std::vector<roles::subtask_outcome>;

void dispatch(pool_pointer self);
void finish(pool_pointer self, job_state& j);

void notify(pool_pointer self, roles::progress p) {
  if (self->state.setup.observer)
    self->send(self->state.setup.observer, status_atom::value, std::move(p));
}

// Relays one attempt's streamed pieces to the observer as byte counts, so the
// view shows live progress without the pool handling every piece.
chunk_sink::behavior_type forwarder(chunk_sink::pointer self, progress_sink observer, int number) {
  return {[=](chunk_atom, const stream_chunk& piece) {
    roles::progress p;
    p.kind = roles::progress_kind::streamed;
    p.number = number;
    p.bytes = static_cast<int64_t>(piece.delta.text.size());
    self->send(observer, status_atom::value, std::move(p));
  }};
}

// Members first, then reserves, each a slot; workers are spawned on first use.
std::vector<member_slot> slots_of(const roles::lane& l) {
  std::vector<member_slot> out;
  for (const auto& m : l.members)
    out.push_back(member_slot{m, false, {}, 0, 0});
  for (const auto& r : l.reserves)
    out.push_back(member_slot{roles::member_spec{r, 1}, true, {}, 0, 0});
  return out;
}

// The member this job should run on next, if one is free now. Untried healthy
// members first; benched ones only when no healthy untried member is left;
// then the reserves in order. nullopt with `exhausted` set: nowhere left.
std::optional<size_t> choose(pool_state& st, const job_state& j, bool& exhausted) {
  auto& slots = st.slots[j.lane];
  auto members = st.lanes[j.lane].members.size();
  exhausted = false;
  for (bool benched : {false, true}) {
    std::optional<size_t> best;
    bool waiting = false;
    for (size_t i = 0; i < members; ++i) {
      if (j.tried.count(i) || slots[i].benched() != benched)
        continue;
      waiting = true;
      if (slots[i].free() && (!best || slots[i].busy < slots[*best].busy))
        best = i;
    }
    if (best || waiting)
      return best;
  }
  if (members + j.next_reserve < slots.size())
    return members + j.next_reserve;
  exhausted = true;
  return std::nullopt;
}

roles::work_order order_for(const pool_state& st, const job_state& j) {
  roles::work_order o;
  o.task = st.exec.task;
  o.subtask = j.job.subtask.text;
  o.brief = st.exec.brief;
  for (int d : j.job.subtask.depends_on)
    if (auto i = st.done.find(d); i != st.done.end())
      o.dependencies.push_back(i->second);
  o.write_files = st.exec.write_files;
  o.previous = j.job.previous;
  o.feedback = j.job.feedback;
  return o;
}

void fail(pool_pointer self, job_state& j, std::string why) {
  j.outcome.result.ok = false;
  j.outcome.result.output.clear();
  j.outcome.result.error = std::move(why);
  finish(self, j);
}

void review(pool_pointer self, job_state& j);
void on_answer(pool_pointer self, int number, routed_response& answer);
void on_error(pool_pointer self, int number, const caf::error& err);

void start(pool_pointer self, job_state& j, size_t index) {
  auto& st = self->state;
  auto& slot = st.slots[j.lane][index];
  if (!slot.worker) {
    const auto& lane = st.lanes[j.lane];
    slot.worker = spawn_polecat(self->system(), st.setup.router, *st.setup.settings,
                                slot.spec.target, lane.role, lane.system_prompt);
    // Linked: workers never outlive the pool.
    self->link_to(slot.worker);
  }
  if (slot.reserve)
    ++j.next_reserve;
  ++slot.busy;
  ++j.outcome.attempts;
  j.slot = slot_ref{j.lane, index};
  j.phase = job_phase::running;
  auto number = j.job.subtask.number;
  notify(self, roles::progress{roles::progress_kind::assigned,
                               number,
                               slot.spec.target,
                               j.outcome.attempts,
                               0,
                               0,
                               {},
                               {}});
  auto ok = [=](routed_response& answer) { on_answer(self, number, answer); };
  auto err = [=](caf::error& e) { on_error(self, number, e); };
  if (st.setup.observer) {
    j.forwarder = self->spawn(forwarder, st.setup.observer, number);
    self->request(slot.worker, caf::infinite, stream_atom::value, order_for(st, j), j.forwarder)
        .then(ok, err);
  } else {
    self->request(slot.worker, caf::infinite, execute_atom::value, order_for(st, j)).then(ok, err);
  }
}

// Frees the job's slot and stops its forwarder; returns where it ran.
std::optional<slot_ref> release(pool_state& st, job_state& j) {
  if (j.forwarder)
    caf::anon_send_exit(j.forwarder, caf::exit_reason::user_shutdown);
  j.forwarder = nullptr;
  auto ref = j.slot;
  if (ref)
    --st.slots[ref->lane][ref->index].busy;
  j.slot.reset();
  return ref;
}

member_slot* slot_at(pool_state& st, const std::optional<slot_ref>& ref) {
  return ref ? &st.slots[ref->lane][ref->index] : nullptr;
}

void on_answer(pool_pointer self, int number, routed_response& answer) {
  auto& st = self->state;
  auto& j = st.jobs.at(number);
  auto* slot = slot_at(st, release(st, j));
  j.outcome.tokens += answer.response.tokens;
  j.outcome.usd += answer.response.usd.value_or(0);
  if (j.phase == job_phase::over)
    return;
  if (answer.response.content.empty()) {
    on_error(self, number, to_caf(failure{errc::invalid_input, "the worker gave an empty answer"}));
    return;
  }
  if (slot)
    slot->failures_in_row = 0;
  auto& o = j.outcome;
  o.member = slot ? slot->spec.target : o.member;
  o.provider = answer.provider;
  o.model = answer.model;
  bool repeated = !j.job.previous.empty() && answer.response.content == j.job.previous;
  o.result.output = std::move(answer.response.content);
  o.result.ok = true;
  o.result.error.clear();
  // An answer that repeats the one sent back will not improve by asking again.
  if (st.exec.review.enabled && st.setup.witness && !repeated && !st.cancelled)
    review(self, j);
  else
    finish(self, j);
  dispatch(self);
}

void on_error(pool_pointer self, int number, const caf::error& err) {
  auto& st = self->state;
  auto& j = st.jobs.at(number);
  auto ref = release(st, j);
  auto* slot = slot_at(st, ref);
  if (j.phase == job_phase::over)
    return;
  auto f = from_caf(err);
  if (st.cancelled || f.code == errc::cancelled) {
    j.outcome.cancelled = true;
    fail(self, j, "cancelled");
    return;
  }
  if (slot && !slot->reserve) {
    ++slot->failures_in_row;
    j.tried.insert(ref->index);
  }
  j.last_error = f.message;
  notify(self, roles::progress{roles::progress_kind::attempt_failed,
                               number,
                               slot ? slot->spec.target : std::string{},
                               j.outcome.attempts,
                               0,
                               0,
                               f.message,
                               {}});
  if (f.code == errc::budget_exceeded) {
    // Spending more is not allowed: nothing new starts, work in flight ends.
    st.halt = f.message;
    fail(self, j, f.message);
    dispatch(self); // settles the waiting jobs as not run
    return;
  }
  j.phase = job_phase::queued;
  dispatch(self);
}

void review(pool_pointer self, job_state& j) {
  auto& st = self->state;
  j.phase = job_phase::reviewing;
  auto number = j.job.subtask.number;
  roles::review_request r{j.job.subtask.text, j.outcome.result.output};
  self->request(st.setup.witness, caf::infinite, review_atom::value, std::move(r))
      .then(
          [=](roles::verdict& v) {
            auto& s = self->state;
            auto& job = s.jobs.at(number);
            if (job.phase != job_phase::reviewing)
              return;
            auto& o = job.outcome;
            o.scored = true;
            o.score = v.score;
            o.note = v.note;
            notify(
                self,
                roles::progress{
                    roles::progress_kind::reviewed, number, o.member, 0, 0, v.score, v.note, {}});
            bool good = v.score >= s.exec.review.min_score;
            if (good || o.reasks >= s.exec.review.max_reasks || s.cancelled || !s.halt.empty()) {
              finish(self, job);
              dispatch(self); // dependents may be ready now
              return;
            }
            // Send it back with the note; any member may take the re-ask.
            ++o.reasks;
            job.job.previous = o.result.output;
            job.job.feedback = v.note;
            job.tried.clear();
            job.next_reserve = 0;
            job.phase = job_phase::queued;
            dispatch(self);
          },
          [=](caf::error& e) {
            // A review that fails never costs the work: keep the answer, say why.
            auto& job = self->state.jobs.at(number);
            if (job.phase != job_phase::reviewing)
              return;
            job.outcome.note = "not reviewed: " + from_caf(e).message;
            finish(self, job);
            dispatch(self);
          });
}

// Moves blocked jobs whose dependencies are done to the queue; fails those
// whose dependency failed.
void unblock(pool_pointer self) {
  auto& st = self->state;
  for (auto& [number, j] : st.jobs) {
    if (j.phase != job_phase::blocked)
      continue;
    if (st.cancelled) {
      j.outcome.cancelled = true;
      fail(self, j, "cancelled");
      return;
    }
    bool ready = true;
    for (int d : j.job.subtask.depends_on) {
      if (auto r = st.done.find(d); r != st.done.end()) {
        if (!r->second.ok) {
          fail(self, j, "not run: it depends on subtask " + std::to_string(d) + ", which failed");
          return; // fail() re-entered unblock for what depends on this job
        }
      } else if (st.jobs.count(d)) {
        ready = false;
      }
    }
    if (ready)
      j.phase = job_phase::queued;
  }
}

void deliver_if_done(pool_pointer self) {
  auto& st = self->state;
  if (!st.reply)
    return;
  for (auto& [number, j] : st.jobs)
    if (j.phase != job_phase::over)
      return;
  outcomes out;
  for (auto& [number, j] : st.jobs)
    out.push_back(std::move(j.outcome));
  // The jobs stay until the next execution: callers up the stack may still
  // be iterating over them.
  auto rp = std::move(*st.reply);
  st.reply.reset();
  rp.deliver(std::move(out));
}

void finish(pool_pointer self, job_state& j) {
  auto& st = self->state;
  j.phase = job_phase::over;
  st.done[j.job.subtask.number] = j.outcome.result;
  notify(self, roles::progress{roles::progress_kind::finished, j.job.subtask.number,
                               j.outcome.member, j.outcome.attempts, 0, j.outcome.score,
                               j.outcome.result.error, j.outcome});
  unblock(self);
  deliver_if_done(self);
}

void dispatch(pool_pointer self) {
  auto& st = self->state;
  for (auto& [number, j] : st.jobs) {
    if (j.phase != job_phase::queued)
      continue;
    if (st.cancelled || !st.halt.empty()) {
      j.outcome.cancelled = st.cancelled;
      fail(self, j, st.cancelled ? "cancelled" : "not run: " + st.halt);
      continue;
    }
    bool exhausted = false;
    if (auto index = choose(st, j, exhausted))
      start(self, j, *index);
    else if (exhausted)
      fail(self, j, "failed on every member and fallback; last error: " + j.last_error);
  }
  deliver_if_done(self);
}

// Stops every worker; the slots stay (jobs still refer to them). Unlinked
// first: a linked worker's exit (also when it is merely dropped and destroyed)
// would take the pool along.
void retire_workers(pool_pointer self) {
  for (auto& lane : self->state.slots)
    for (auto& slot : lane)
      if (slot.worker) {
        self->unlink_from(slot.worker);
        caf::anon_send_exit(slot.worker, caf::exit_reason::user_shutdown);
        slot.worker = nullptr;
      }
}

caf::typed_response_promise<outcomes> begin(pool_pointer self, roles::execution exec) {
  auto& st = self->state;
  auto rp = self->make_response_promise<outcomes>();
  if (st.reply) {
    rp.deliver(to_caf(failure{errc::invalid_input, "the pool is already running an execution"}));
    return rp;
  }
  st.jobs.clear();
  st.cancelled = false;
  st.halt.clear();
  st.lanes = exec.lanes.empty() ? std::vector<roles::lane>{roles::lane{}} : exec.lanes;
  retire_workers(self);
  st.slots.clear();
  for (const auto& l : st.lanes)
    st.slots.push_back(slots_of(l));
  st.done.clear();
  for (const auto& r : exec.finished)
    st.done[r.number] = r;
  for (auto& job : exec.jobs) {
    job_state j;
    j.lane = roles::lane_for(st.lanes, job.subtask.specialist);
    j.outcome.result.number = job.subtask.number;
    j.outcome.result.subtask = job.subtask.text;
    j.job = std::move(job);
    auto number = j.job.subtask.number;
    st.jobs.emplace(number, std::move(j));
  }
  exec.jobs.clear();
  st.exec = std::move(exec);
  st.reply = rp;
  unblock(self);
  dispatch(self);
  return rp;
}

void cancel(pool_pointer self) {
  auto& st = self->state;
  st.cancelled = true;
  // Workers die with their requests (the router then cancels them at the
  // provider); the pool does not wait for their errors, whose arrival a dead
  // actor's promises do not guarantee. Late replies find their job over.
  retire_workers(self);
  for (auto& [number, j] : st.jobs) {
    if (j.phase == job_phase::reviewing) {
      finish(self, j); // the answer is in: keep it, unreviewed
    } else if (j.phase != job_phase::over) {
      release(st, j);
      j.outcome.cancelled = true;
      fail(self, j, "cancelled");
    }
  }
}

pool_actor::behavior_type pool(pool_pointer self, pool_setup setup) {
  self->state.setup = std::move(setup);
  return {
      [=](execute_atom, roles::execution& exec) { return begin(self, std::move(exec)); },
      [=](cancel_atom) { cancel(self); },
  };
}

} // namespace

pool_actor spawn_pool(caf::actor_system& sys, pool_setup setup) {
  return sys.spawn(pool, std::move(setup));
}

} // namespace et::actors
