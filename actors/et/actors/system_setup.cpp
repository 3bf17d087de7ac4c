#include "et/actors/system_setup.hpp"

#include <stdexcept>
#include <utility>

#include "caf/actor_system.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/atom.hpp"
#include "caf/scheduler/coordinator.hpp"
#include "et/actors/detail/handoff_policy.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/http/runtime.hpp"

namespace et::actors {

std::optional<scheduling> parse_scheduling(std::string_view word) {
  if (word == "stealing")
    return scheduling::stealing;
  if (word == "sharing")
    return scheduling::sharing;
  if (word == "handoff")
    return scheduling::handoff;
  return std::nullopt;
}

std::string_view name_of(scheduling how) {
  switch (how) {
    case scheduling::stealing:
      return "stealing";
    case scheduling::sharing:
      return "sharing";
    case scheduling::handoff:
      return "handoff";
  }
  return "?";
}

void prepare_system(caf::actor_system_config& cfg, scheduling how, std::size_t workers,
                    std::shared_ptr<http::runtime> io) {
  if (io && (how != scheduling::handoff || !io->is_driven()))
    throw std::invalid_argument{"only the handoff scheduler drives I/O, and only a runtime made "
                                "to be driven"};
  add_message_types(cfg);
  cfg.set("scheduler.max-threads", std::max<std::size_t>(workers, 1));
  if (how == scheduling::handoff) {
    // A scheduler module given by the config replaces the one scheduler.policy names.
    cfg.module_factories.push_back(
        [io = std::move(io)](caf::actor_system& sys) -> caf::actor_system::module* {
          auto* scheduler = new caf::scheduler::coordinator<detail::handoff_policy>(sys);
          scheduler->data().io = io;
          return scheduler;
        });
    return;
  }
  cfg.set("scheduler.policy",
          how == scheduling::sharing ? caf::atom("sharing") : caf::atom("stealing"));
}

} // namespace et::actors
