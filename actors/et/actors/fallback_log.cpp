#include "et/actors/fallback_log.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"

namespace et::actors {

namespace {

struct fallback_log_state {
  std::vector<fallback_report> reports; ///< not yet drained, oldest first
  static inline const char* name = "et.fallback_log";
};

fallback_log_actor::behavior_type
fallback_log(fallback_log_actor::stateful_pointer<fallback_log_state> self, size_t limit) {
  return {
      [=](status_atom, fallback_report& r) {
        auto& reports = self->state.reports;
        if (reports.size() >= limit)
          reports.erase(reports.begin());
        reports.push_back(std::move(r));
      },
      [=](drain_atom) { return std::exchange(self->state.reports, {}); },
  };
}

} // namespace

fallback_log_actor spawn_fallback_log(caf::actor_system& sys, size_t limit) {
  return sys.spawn(fallback_log, std::max<size_t>(limit, 1));
}

} // namespace et::actors
