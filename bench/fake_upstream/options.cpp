#include <array>
#include <utility>

#include "options.hpp"

namespace et::fake {
namespace {

constexpr std::array<std::string_view, 13> fault_names = {
    "none",         "rate_limit", "server_error", "unavailable", "overloaded", "context_overflow",
    "unauthorized", "refuse",     "reset",        "hang",        "cut",        "malformed",
    "stream_error"};

constexpr std::array<std::pair<std::string_view, fault>, 6> status_aliases = {{
    {"429", fault::rate_limit},
    {"500", fault::server_error},
    {"503", fault::unavailable},
    {"529", fault::overloaded},
    {"400", fault::context_overflow},
    {"401", fault::unauthorized},
}};

static_assert(fault_names.size() == static_cast<size_t>(fault::stream_error) + 1,
              "one name per fault");

} // namespace

std::string_view to_string(reply_mode m) {
  switch (m) {
    case reply_mode::echo:
      return "echo";
    case reply_mode::fixed:
      return "fixed";
    case reply_mode::tokens:
      return "tokens";
  }
  return "echo";
}

std::optional<reply_mode> reply_mode_from_string(std::string_view name) {
  for (auto m : {reply_mode::echo, reply_mode::fixed, reply_mode::tokens})
    if (to_string(m) == name)
      return m;
  return std::nullopt;
}

std::string_view to_string(fault f) {
  return fault_names[static_cast<size_t>(f)];
}

std::optional<fault> fault_from_string(std::string_view name) {
  for (size_t i = 0; i < fault_names.size(); ++i)
    if (fault_names[i] == name)
      return static_cast<fault>(i);
  for (const auto& [alias, f] : status_aliases)
    if (alias == name)
      return f;
  return std::nullopt;
}

} // namespace et::fake
