// `et run` in pool mode as the command line sees it: it starts the run actor, shows the
// run's events as they come (a scoped actor's blocking receive, no polling), turns a signal
// into a cancel message to the run, and prints the result and the exit code at the end.

#include <poll.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <map>
#include <ostream>
#include <thread>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/run/run.hpp"
#include "et/actors/run/run_inspect.hpp"
#include "et/app/json_out.hpp"
#include "et/app/run_pipeline.hpp"
#include "et/app/run_records.hpp"
#include "et/app/run_view.hpp"
#include "et/app/runtime.hpp"

namespace et::app {

namespace {

using clock_type = std::chrono::steady_clock;

// Waits (in its own thread, blocked in poll) for a signal the interrupt guard caught, and
// tells the run; ends when the run is over.
class signal_relay {
public:
  explicit signal_relay(actors::run_actor run) {
    if (::pipe(done_) != 0)
      done_[0] = done_[1] = -1;
    thread_ = std::thread{[this, run] { relay(run); }};
  }
  ~signal_relay() {
    if (done_[1] >= 0) {
      char byte = 0;
      [[maybe_unused]] auto n = ::write(done_[1], &byte, 1);
    }
    thread_.join();
    for (int fd : done_)
      if (fd >= 0)
        ::close(fd);
  }
  signal_relay(const signal_relay&) = delete;
  signal_relay& operator=(const signal_relay&) = delete;

private:
  void relay(const actors::run_actor& run) const {
    pollfd fds[2] = {{interrupt_guard::wake_fd(), POLLIN, 0}, {done_[0], POLLIN, 0}};
    for (;;) {
      if (::poll(fds, 2, -1) < 0)
        continue; // EINTR: the signal itself; its byte is in the pipe
      if (fds[1].revents != 0 || done_[0] < 0)
        return;
      if (fds[0].revents != 0) {
        interrupt_guard::drain();
        if (interrupt_guard::raised())
          caf::anon_send(run, actors::cancel_atom::value,
                         static_cast<int32_t>(interrupt_guard::signal_number()));
      }
    }
  }

  int done_[2] = {-1, -1};
  std::thread thread_;
};

// What the view knows: its copy of the record and the live figures.
struct watched {
  store::run_record record;
  std::map<int, live_figures> live;
  std::string phase;
  std::optional<store::run_finished> end;
};

void show(run_view& view, watched& w, const store::run_event& e) {
  if (auto* n = std::get_if<store::run_noted>(&e)) {
    if (!(n->plain_only && view.live()))
      view.event(n->warning ? "warning: " + n->line : n->line);
  } else if (auto* p = std::get_if<store::run_phase_began>(&e)) {
    w.phase = p->name;
  } else if (auto* c = std::get_if<store::run_subtask_changed>(&e)) {
    const auto* before = w.record.find(c->subtask.number);
    if (c->subtask.state == store::subtask_state::running
        && (!before || before->attempts != c->subtask.attempts)) {
      auto& live = w.live[c->subtask.number];
      if (live.started.time_since_epoch().count() == 0)
        live.started = clock_type::now();
      live.streamed_bytes = 0; // a new attempt
    }
  } else if (auto* s = std::get_if<store::run_streamed>(&e)) {
    w.live[s->number].streamed_bytes += s->bytes;
  } else if (auto* b = std::get_if<store::run_fell_back>(&e)) {
    const auto& f = b->fallback;
    auto who = f.subtask > 0 ? "[" + std::to_string(f.subtask) + "/"
                                   + std::to_string(w.record.subtasks.size()) + "]"
                             : "[" + f.role + "]";
    view.event(fallback_event(f, who));
  } else if (auto* f = std::get_if<store::run_finished>(&e)) {
    w.end = *f;
  }
  store::apply(w.record, e);
  view.update(w.record, w.phase, w.live, std::holds_alternative<store::run_phase_began>(e));
}

int print_end(context& ctx, const run_options& opts, const store::run_finished& end) {
  const auto& r = end.record;
  if (opts.json)
    print_json(ctx.out, run_to_json(r));
  else
    ctx.out << r.final_output << (r.final_output.ends_with('\n') ? "" : "\n");
  ctx.err << summary_text(r, end.cost_table) << "run " << r.header.id << ": "
          << store::name_of(r.status) << "; journal in " << end.journal << "\n";
  // 130 after Ctrl-C; 143 after SIGTERM, 129 after SIGHUP, as a shell reports those.
  if (end.interrupted)
    return 128 + interrupt_guard::signal_number();
  return r.status == store::run_status::done ? exit_ok : exit_failed;
}

} // namespace

int watch_run(context& ctx, const run_options& opts, caf::actor_system& sys,
              actors::run_setup setup) {
  interrupt_guard guard{true};
  run_view view{ctx.err, run_view::live_for(STDERR_FILENO)};
  watched w;
  w.record = setup.record;
  caf::scoped_actor self{sys};
  // The router's waits (a 429's Retry-After, a backoff) would be silence: asked of its log about
  // twice a second and said, as single mode does.
  auto log = setup.fallbacks;
  auto say_waits = [&] {
    for (const auto& n : retries_noticed(self, log))
      view.event("[" + n.role + "] " + retry_line(n));
  };
  auto next_ask = clock_type::now();
  setup.observers.push_back(caf::actor_cast<actors::run_observer>(self));
  auto run = actors::spawn_run(sys, std::move(setup), true);
  self->monitor(run);
  signal_relay relay{run};
  self->send(run, actors::execute_atom::value);
  bool gone = false;
  auto on_event = [&](actors::run_event_atom, store::run_event& e) { show(view, w, e); };
  auto on_record = [](store::run_record&) {}; // the reply to execute: after run_finished
  auto on_error = [&](caf::error& e) {
    view.event("warning: the run failed: " + to_string(actors::from_caf(e)));
  };
  auto on_down = [&](caf::down_msg& d) {
    if (!w.end)
      view.event("warning: the run stopped: " + caf::to_string(d.reason));
    gone = true;
  };
  while (!w.end && !gone) {
    if (view.live()) // a terminal: the elapsed times tick between events
      self->receive(
          on_event, on_record, on_error, on_down,
          caf::after(std::chrono::milliseconds{250}) >>
              [&] { view.update(w.record, w.phase, w.live); });
    else
      self->receive(
          on_event, on_record, on_error, on_down,
          caf::after(std::chrono::milliseconds{500}) >> [] {});
    if (clock_type::now() >= next_ask) {
      say_waits();
      next_ask = clock_type::now() + std::chrono::milliseconds{500};
    }
  }
  say_waits(); // the last ones, said before the summary
  view.close();
  if (!w.end)
    return exit_failed;
  return print_end(ctx, opts, *w.end);
}

} // namespace et::app
