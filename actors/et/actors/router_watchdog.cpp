// The router's watchdog: one tick a second while attempts are in flight finds those whose
// provider never answered (past its total timeout plus attempt_margin).

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/router_state.hpp"

namespace et::actors {

void watch(router_pointer self) {
  if (self->state.watching)
    return;
  self->state.watching = true;
  self->delayed_send(caf::actor_cast<router_impl>(self), watchdog_period, tick_atom::value);
}

void on_watchdog(router_pointer self) {
  auto& st = self->state;
  st.watching = false;
  auto now = self->clock().now();
  std::vector<std::pair<uint64_t, uint64_t>> lost; // job key, attempt id
  bool waiting = false;
  st.jobs.for_each([&](uint64_t key, const router_job& j) {
    if (j.attempt_id == 0)
      return;
    if (j.deadline <= now)
      lost.emplace_back(key, j.attempt_id);
    else
      waiting = true;
  });
  for (auto [key, aid] : lost) {
    auto* j = st.jobs.find(key);
    if (!j || j->attempt_id != aid)
      continue;
    self->send(slot_of(self, *j).hdl, cancel_atom::value, aid);
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - j->started);
    on_attempt_failed(self, key, aid,
                      make_failure(errc::timeout, "no answer from the provider within "
                                                      + std::to_string(waited.count()) + "s"));
  }
  // A retry or fallback dispatched above armed it already; jobs still waiting need it too.
  if (waiting)
    watch(self);
}

} // namespace et::actors
