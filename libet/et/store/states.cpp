#include "et/store/states.hpp"

#include <array>
#include <utility>

namespace et::store {

namespace {

constexpr std::array<std::pair<subtask_state, std::string_view>, 4> subtask_names{{
    {subtask_state::pending, "pending"},
    {subtask_state::running, "running"},
    {subtask_state::done, "done"},
    {subtask_state::failed, "failed"},
}};

constexpr std::array<std::pair<run_status, std::string_view>, 4> run_names{{
    {run_status::running, "running"},
    {run_status::done, "done"},
    {run_status::failed, "failed"},
    {run_status::interrupted, "interrupted"},
}};

template <class Enum, size_t N>
std::string_view lookup(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum e) {
  for (const auto& [value, name] : names)
    if (value == e)
      return name;
  return "unknown"; // unreachable for a valid enumerator
}

template <class Enum, size_t N>
std::optional<Enum> parse(const std::array<std::pair<Enum, std::string_view>, N>& names,
                          std::string_view text) {
  for (const auto& [value, name] : names)
    if (name == text)
      return value;
  return std::nullopt;
}

} // namespace

std::string_view name_of(subtask_state s) {
  return lookup(subtask_names, s);
}

std::string_view name_of(run_status s) {
  return lookup(run_names, s);
}

std::string to_string(subtask_state s) {
  return std::string{name_of(s)};
}

std::string to_string(run_status s) {
  return std::string{name_of(s)};
}

std::optional<subtask_state> subtask_state_from(std::string_view name) {
  return parse(subtask_names, name);
}

std::optional<run_status> run_status_from(std::string_view name) {
  return parse(run_names, name);
}

} // namespace et::store
