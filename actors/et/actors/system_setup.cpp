#include "et/actors/system_setup.hpp"

#include "caf/actor_system_config.hpp"
#include "caf/atom.hpp"
#include "et/actors/detail/message_types.hpp"

namespace et::actors {

std::optional<scheduling> parse_scheduling(std::string_view word) {
  if (word == "stealing")
    return scheduling::stealing;
  if (word == "sharing")
    return scheduling::sharing;
  return std::nullopt;
}

void prepare_system(caf::actor_system_config& cfg, scheduling how) {
  add_message_types(cfg);
  cfg.set("scheduler.max-threads", scheduler_threads);
  cfg.set("scheduler.policy",
          how == scheduling::sharing ? caf::atom("sharing") : caf::atom("stealing"));
}

} // namespace et::actors
