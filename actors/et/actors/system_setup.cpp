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
  workers = std::max<std::size_t>(workers, 1);
  if (io && (how != scheduling::handoff || static_cast<std::size_t>(io->drivers()) < workers))
    throw std::invalid_argument{"only the handoff scheduler drives I/O, on a runtime made for "
                                "as many drivers as it has workers"};
  if (io && !io->claim())
    throw std::invalid_argument{"the runtime is not made to be driven, or another scheduler "
                                "drives it already"};
  add_message_types(cfg);
  cfg.set("scheduler.max-threads", workers);
  // A worker that runs I/O as well must come back to it: an actor's turn ends after this many
  // messages (CAF's default is its whole mailbox), the rest waiting behind the central queue.
  // CAF's network multiplexer reads the same key: a broker's turn is bounded alike.
  if (io)
    cfg.set("scheduler.max-throughput", max_throughput_with_io);
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
