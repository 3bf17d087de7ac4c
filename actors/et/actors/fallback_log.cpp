#include "et/actors/fallback_log.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"

namespace et::actors {

namespace {

struct fallback_log_state {
  std::vector<fallback_report> reports; ///< not yet drained, oldest first
  std::vector<retry_notice> retries;    ///< not yet asked for, oldest first
  static inline const char* name = "et.fallback_log";
};

// Appends `item`, the oldest going first past `limit`.
template <class T>
void keep(std::vector<T>& items, T item, size_t limit) {
  if (items.size() >= limit)
    items.erase(items.begin());
  items.push_back(std::move(item));
}

fallback_log_actor::behavior_type
fallback_log(fallback_log_actor::stateful_pointer<fallback_log_state> self, size_t limit) {
  return {
      [=](status_atom, fallback_report& r) { keep(self->state.reports, std::move(r), limit); },
      [=](status_atom, retry_notice& n) { keep(self->state.retries, std::move(n), limit); },
      [=](drain_atom) { return std::exchange(self->state.reports, {}); },
      [=](retries_atom) { return std::exchange(self->state.retries, {}); },
  };
}

} // namespace

fallback_log_actor spawn_fallback_log(caf::actor_system& sys, size_t limit) {
  return sys.spawn(fallback_log, std::max<size_t>(limit, 1));
}

} // namespace et::actors
