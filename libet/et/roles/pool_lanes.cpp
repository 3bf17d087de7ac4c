#include <algorithm>

#include "et/roles/pool.hpp"

namespace et::roles {

namespace {

bool is_member(const lane& l, const std::string& ref) {
  return std::any_of(l.members.begin(), l.members.end(),
                     [&](const member_spec& m) { return m.target == ref; });
}

// A role's pool, or its model alone; then the reserves: its model when it is
// not a member already, and its fallbacks, each once.
lane lane_of(const config::role& r, std::string name, std::string role_name, int solo) {
  // A specialist's system_prompt is its own; "" keeps the worker role's.
  lane l{std::move(name), std::move(role_name), {}, {}, r.system_prompt.value_or("")};
  for (const auto& m : r.pool)
    l.members.push_back(member_spec{m.model, std::max(1, m.max_concurrency)});
  if (l.members.empty() && !r.model.empty())
    l.members.push_back(member_spec{r.model, std::max(1, solo)});
  auto reserve = [&](const std::string& ref) {
    if (!ref.empty() && !is_member(l, ref)
        && std::find(l.reserves.begin(), l.reserves.end(), ref) == l.reserves.end())
      l.reserves.push_back(ref);
  };
  reserve(r.model);
  for (const auto& f : r.fallbacks)
    reserve(f);
  return l;
}

} // namespace

std::vector<lane> plan_lanes(const config::settings& s, const std::string& worker_role,
                             int solo_concurrency) {
  std::vector<lane> out;
  out.push_back(lane_of(s.role_or_default(worker_role), "", worker_role, solo_concurrency));
  for (const auto& [name, spec] : s.specialists)
    out.push_back(lane_of(spec, name, worker_role, solo_concurrency));
  return out;
}

size_t lane_for(const std::vector<lane>& lanes, const std::string& specialist) {
  if (specialist.empty())
    return 0;
  for (size_t i = 1; i < lanes.size(); ++i)
    if (lanes[i].name == specialist)
      return i;
  return 0;
}

} // namespace et::roles
