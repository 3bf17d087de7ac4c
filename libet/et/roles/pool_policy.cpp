#include "et/roles/pool_policy.hpp"

#include <algorithm>
#include <utility>

namespace et::roles {

namespace {

// Members first, then reserves, each a slot. A member takes at least one job
// at a time: one that took none would keep its jobs waiting forever.
template <class Slot>
std::vector<Slot> slots_of(const lane& l) {
  std::vector<Slot> out;
  for (const auto& m : l.members)
    out.push_back(Slot{member_spec{m.target, std::max(1, m.max_concurrency)}, false, 0, 0});
  for (const auto& r : l.reserves)
    out.push_back(Slot{member_spec{r, 1}, true, 0, 0});
  return out;
}

} // namespace

pool_commands pool_policy::start(execution exec) {
  *this = pool_policy{};
  lanes_ = exec.lanes.empty() ? std::vector<lane>{lane{}} : exec.lanes;
  for (const auto& l : lanes_)
    slots_.push_back(slots_of<slot_state>(l));
  for (const auto& r : exec.finished)
    done_[r.number] = r;
  for (auto& w : exec.jobs) {
    job_state j;
    j.lane = lane_for(lanes_, w.subtask.specialist);
    j.outcome.result.number = w.subtask.number;
    j.outcome.result.subtask = w.subtask.text;
    j.work = std::move(w);
    auto number = j.work.subtask.number;
    jobs_.emplace(number, std::move(j));
  }
  exec.jobs.clear();
  exec_ = std::move(exec);
  running_ = true;
  pool_commands out;
  settle(out);
  return out;
}

pool_commands pool_policy::answered(int number, attempt_answer answer) {
  pool_commands out;
  auto* j = find(number);
  if (!j)
    return out;
  auto slot = release(*j);
  j->outcome.tokens += answer.tokens;
  j->outcome.usd += answer.usd;
  if (j->at != phase::running)
    return out; // late: cancelled meanwhile
  if (answer.content.empty()) {
    on_failure(*j, slot, errc::invalid_input, "the worker gave an empty answer", 0, out);
    return out;
  }
  auto& o = j->outcome;
  if (slot) {
    auto& s = slots_[j->lane][*slot];
    s.failures_in_row = 0;
    o.member = s.spec.target;
  }
  o.provider = std::move(answer.provider);
  o.model = std::move(answer.model);
  // An answer that repeats the one sent back will not improve by asking again.
  bool repeated = !j->work.previous.empty() && answer.content == j->work.previous;
  o.result.output = std::move(answer.content);
  o.result.ok = true;
  o.result.error.clear();
  if (exec_.review.enabled && !repeated && !cancelled_) {
    j->at = phase::reviewing;
    out.push_back(review_job{number, review_request{j->work.subtask.text, o.result.output}});
  } else {
    finish(*j, out);
  }
  settle(out);
  return out;
}

pool_commands pool_policy::attempt_failed(int number, errc code, const std::string& message,
                                          int http_status) {
  pool_commands out;
  auto* j = find(number);
  if (!j)
    return out;
  auto slot = release(*j);
  if (j->at == phase::running)
    on_failure(*j, slot, code, message, http_status, out);
  return out;
}

pool_commands pool_policy::reviewed(int number, double score, const std::string& note) {
  pool_commands out;
  auto* j = find(number);
  if (!j || j->at != phase::reviewing)
    return out;
  auto& o = j->outcome;
  o.scored = true;
  o.score = score;
  o.note = note;
  bool good = score >= exec_.review.min_score;
  bool again = !good && o.reasks < exec_.review.max_reasks && !cancelled_;
  out.push_back(progress{number, progress::reviewed{o.member, score, note, again}});
  if (!again) {
    finish(*j, out);
  } else {
    // Back with the note; any member may take the re-ask, reserves included.
    ++o.reasks;
    j->work.previous = o.result.output;
    j->work.feedback = note;
    j->tried.clear();
    j->next_reserve = 0;
    j->at = phase::queued;
  }
  settle(out);
  return out;
}

pool_commands pool_policy::review_failed(int number, const std::string& message) {
  pool_commands out;
  auto* j = find(number);
  if (!j || j->at != phase::reviewing)
    return out;
  // A review that fails never costs the work: keep the answer, say why.
  j->outcome.note = "not reviewed: " + message;
  j->outcome.review_failed = message;
  finish(*j, out);
  settle(out);
  return out;
}

pool_commands pool_policy::cancel() {
  pool_commands out;
  if (!running_)
    return out;
  cancelled_ = true;
  for (auto& [number, j] : jobs_) {
    if (j.at == phase::reviewing) {
      finish(j, out); // the answer is in: keep it, unreviewed
    } else if (j.at != phase::over) {
      release(j);
      j.outcome.cancelled = true;
      fail(j, "cancelled", out);
    }
  }
  settle(out);
  return out;
}

pool_policy::job_state* pool_policy::find(int number) {
  auto i = jobs_.find(number);
  return i == jobs_.end() ? nullptr : &i->second;
}

std::optional<size_t> pool_policy::release(job_state& j) {
  auto slot = j.slot;
  if (slot)
    --slots_[j.lane][*slot].busy;
  j.slot.reset();
  return slot;
}

// The slot this job should run on next, if one is free now. Untried healthy
// members first, the least busy of them; benched ones only when no healthy
// untried member is left; then the reserves in order. nullopt with
// `exhausted` set: nowhere left.
std::optional<size_t> pool_policy::choose(const job_state& j, bool& exhausted) const {
  const auto& slots = slots_[j.lane];
  auto members = lanes_[j.lane].members.size();
  exhausted = false;
  // A preferred member that has not failed this job and is not benched waits to be free.
  for (size_t i = 0; i < members && !j.work.member.empty(); ++i) {
    const auto& s = slots[i];
    if (s.spec.target == j.work.member && !j.tried.count(i) && s.failures_in_row < 2)
      return s.busy < s.spec.max_concurrency ? std::optional<size_t>{i} : std::nullopt;
  }
  for (bool benched : {false, true}) {
    std::optional<size_t> best;
    bool waiting = false;
    for (size_t i = 0; i < members; ++i) {
      const auto& s = slots[i];
      if (j.tried.count(i) || (s.failures_in_row >= 2) != benched)
        continue;
      waiting = true;
      if (s.busy < s.spec.max_concurrency && (!best || s.busy < slots[*best].busy))
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

work_order pool_policy::order_for(const job_state& j) const {
  work_order o;
  o.task = exec_.task;
  o.subtask = j.work.subtask.text;
  o.brief = exec_.brief;
  for (int d : j.work.subtask.depends_on)
    if (auto i = done_.find(d); i != done_.end())
      o.dependencies.push_back(i->second);
  o.write_files = exec_.write_files;
  o.previous = j.work.previous;
  o.feedback = j.work.feedback;
  o.context = j.work.context;
  return o;
}

void pool_policy::begin_attempt(job_state& j, size_t index, pool_commands& out) {
  auto& slot = slots_[j.lane][index];
  if (slot.reserve)
    ++j.next_reserve;
  ++slot.busy;
  int attempt = ++j.outcome.attempts;
  j.slot = index;
  j.at = phase::running;
  auto number = j.work.subtask.number;
  // The failures that brought the job here are fallbacks to this slot.
  for (auto& f : j.outcome.fallbacks)
    if (f.to.empty())
      f.to = slot.spec.target;
  out.push_back(progress{number, progress::assigned{slot.spec.target, attempt}});
  out.push_back(dispatch_job{number, j.lane, index, slot.spec.target, attempt, order_for(j)});
}

void pool_policy::on_failure(job_state& j, std::optional<size_t> slot, errc code,
                             const std::string& message, int http_status, pool_commands& out) {
  if (cancelled_ || code == errc::cancelled) {
    j.outcome.cancelled = true;
    fail(j, "cancelled", out);
    settle(out);
    return;
  }
  std::string member;
  if (slot) {
    auto& s = slots_[j.lane][*slot];
    member = s.spec.target;
    if (!s.reserve) {
      // A budget refusal says nothing of the member's health: it is not benched for it.
      if (code != errc::budget_exceeded)
        ++s.failures_in_row;
      j.tried.insert(*slot);
    }
  }
  j.last_error = message;
  out.push_back(progress{j.work.subtask.number,
                         progress::attempt_failed{member, j.outcome.attempts, message}});
  // A budget refusal too: another member may be cheaper (a local model is free), and another
  // job's estimate smaller. Nothing was spent; the budget is checked before every call.
  j.at = phase::queued;
  if (!member.empty())
    j.outcome.fallbacks.push_back(fallback_taken{member, "", code, http_status, false, message});
  settle(out);
}

void pool_policy::finish(job_state& j, pool_commands& out) {
  j.at = phase::over;
  done_[j.work.subtask.number] = j.outcome.result;
  out.push_back(progress{j.work.subtask.number, progress::finished{j.outcome}});
}

void pool_policy::fail(job_state& j, std::string why, pool_commands& out) {
  // A failure nobody was tried after was not a fallback: the job ends with it.
  std::erase_if(j.outcome.fallbacks, [](const fallback_taken& f) { return f.to.empty(); });
  if (!j.work.previous.empty()) {
    // A re-ask (after a review, a failed check, bad file blocks) that got no answer, cancel
    // included, leaves the answer it was to improve: work that was done is never lost.
    j.outcome.result.ok = true;
    j.outcome.result.output = j.work.previous;
    j.outcome.result.error.clear();
    j.outcome.reask_failed = std::move(why);
    j.outcome.cancelled = false;
    finish(j, out);
    return;
  }
  j.outcome.result.ok = false;
  j.outcome.result.output.clear();
  j.outcome.result.error = std::move(why);
  finish(j, out);
}

// Queues a blocked job whose dependencies are done, or fails it when one of
// them failed. True when the job moved.
bool pool_policy::unblock(job_state& j, pool_commands& out) {
  for (int d : j.work.subtask.depends_on) {
    if (auto r = done_.find(d); r != done_.end()) {
      if (!r->second.ok) {
        fail(j, "not run: it depends on subtask " + std::to_string(d) + ", which failed", out);
        return true;
      }
    } else if (jobs_.count(d)) {
      return false; // still to come
    }
    // Neither done nor in this execution: nothing to wait for.
  }
  j.at = phase::queued;
  return true;
}

// Moves every job as far as it can go now, in subtask order, until nothing
// moves; then delivers the outcomes once every job is over.
void pool_policy::settle(pool_commands& out) {
  if (!running_)
    return;
  for (bool moved = true; moved;) {
    moved = false;
    for (auto& [number, j] : jobs_) {
      if (j.at == phase::blocked) {
        if (!unblock(j, out))
          continue;
        if (j.at == phase::over) {
          moved = true; // its dependents may move now
          continue;
        }
      }
      if (j.at != phase::queued)
        continue;
      bool exhausted = false;
      if (cancelled_) {
        j.outcome.cancelled = true;
        fail(j, "cancelled", out);
        moved = true;
      } else if (auto index = choose(j, exhausted)) {
        begin_attempt(j, *index, out);
      } else if (exhausted) {
        fail(j, "failed on every member and fallback; last error: " + j.last_error, out);
        moved = true;
      }
    }
  }
  // Nothing in flight yet jobs still wait: they wait on each other (or on
  // themselves), and nothing will ever free them.
  bool idle = true;
  for (const auto& [number, j] : jobs_)
    idle = idle && j.at != phase::running && j.at != phase::reviewing;
  if (idle)
    for (auto& [number, j] : jobs_)
      if (j.at == phase::blocked)
        fail(j, "not run: its dependencies wait on each other (a dependency cycle)", out);
  std::vector<subtask_outcome> outcomes;
  for (const auto& [number, j] : jobs_) {
    if (j.at != phase::over)
      return;
    outcomes.push_back(j.outcome);
  }
  running_ = false;
  out.push_back(deliver_outcomes{std::move(outcomes)});
}

} // namespace et::roles
