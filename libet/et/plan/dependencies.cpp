#include "et/plan/dependencies.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace et::plan {

namespace {

using graph = std::vector<std::vector<int>>; // index: subtask number; values: its dependencies

std::string item_name(const proposed_item& item, size_t position) {
  return "item " + std::to_string(item.written > 0 ? item.written : static_cast<int>(position));
}

void drop_empty(std::vector<proposed_item>& items, std::vector<std::string>& warnings) {
  std::vector<proposed_item> kept;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].text.empty())
      warnings.push_back(item_name(items[i], i + 1) + " has no text and was skipped");
    else
      kept.push_back(std::move(items[i]));
  }
  items = std::move(kept);
}

// Written reference -> position (1-based).
std::map<int, int> reference_map(const std::vector<proposed_item>& items) {
  std::map<int, int> refs;
  bool unique = true;
  for (size_t i = 0; i < items.size() && unique; ++i)
    unique = items[i].written > 0 && refs.emplace(items[i].written, static_cast<int>(i + 1)).second;
  if (unique)
    return refs;
  refs.clear();
  for (size_t i = 0; i < items.size(); ++i)
    refs.emplace(static_cast<int>(i + 1), static_cast<int>(i + 1));
  return refs;
}

std::vector<int> resolve(int self, const std::vector<int>& written, const std::map<int, int>& refs,
                         int kept, std::vector<std::string>& warnings) {
  std::set<int> out;
  auto warn = [&](int ref, const std::string& why) {
    warnings.push_back("subtask " + std::to_string(self) + ": dropped the dependency on "
                       + std::to_string(ref) + ", " + why);
  };
  for (int ref : written) {
    auto it = refs.find(ref);
    if (it == refs.end())
      warn(ref, "which does not exist");
    else if (it->second == self)
      warn(ref, "which is itself");
    else if (it->second > kept)
      warn(ref, "which is past the cap of " + std::to_string(kept) + " subtasks");
    else
      out.insert(it->second);
  }
  return {out.begin(), out.end()};
}

// Whether `from` depends on `to`, directly or through others.
bool reaches(const graph& deps, int from, int to) {
  std::vector<bool> seen(deps.size(), false);
  std::vector<int> stack{from};
  while (!stack.empty()) {
    int at = stack.back();
    stack.pop_back();
    if (at == to)
      return true;
    if (seen[static_cast<size_t>(at)])
      continue;
    seen[static_cast<size_t>(at)] = true;
    for (int next : deps[static_cast<size_t>(at)])
      stack.push_back(next);
  }
  return false;
}

// Dependencies on earlier subtasks can never form a cycle, so they are all
// kept; dependencies on later ones are added in order unless they close one.
void break_cycles(decomposition& d) {
  graph accepted(d.subtasks.size() + 1);
  for (const auto& s : d.subtasks)
    for (int dep : s.depends_on)
      if (dep < s.number)
        accepted[static_cast<size_t>(s.number)].push_back(dep);
  for (const auto& s : d.subtasks) {
    for (int dep : s.depends_on) {
      if (dep < s.number)
        continue;
      if (reaches(accepted, dep, s.number))
        d.warnings.push_back("subtask " + std::to_string(s.number) + ": dropped the dependency on "
                             + std::to_string(dep) + " to break a cycle");
      else
        accepted[static_cast<size_t>(s.number)].push_back(dep);
    }
  }
  for (auto& s : d.subtasks) {
    s.depends_on = accepted[static_cast<size_t>(s.number)];
    std::sort(s.depends_on.begin(), s.depends_on.end());
  }
}

failure invalid(std::string message) {
  return make_failure(errc::invalid_input, std::move(message));
}

// The path of a cycle through `start`, as "a depends on b, which depends on ... a".
std::string cycle_text(const graph& deps, int start) {
  std::vector<int> path{start};
  std::vector<bool> seen(deps.size(), false);
  // Follow dependencies that lead back to start (one exists: the caller found it).
  for (int at = start;;) {
    int next = -1;
    for (int dep : deps[static_cast<size_t>(at)])
      if (reaches(deps, dep, start) && !seen[static_cast<size_t>(dep)]) {
        next = dep;
        break;
      }
    if (next < 0)
      break;
    path.push_back(next);
    if (next == start)
      break;
    seen[static_cast<size_t>(next)] = true;
    at = next;
  }
  std::string out = "subtask " + std::to_string(path[0]);
  for (size_t i = 1; i < path.size(); ++i)
    out += (i == 1 ? " depends on " : ", which depends on ") + std::to_string(path[i]);
  return out + ": a cycle";
}

} // namespace

result<void> validate_plan(const std::vector<subtask>& subtasks, size_t limit) {
  limit = std::min(limit, max_plan_subtasks);
  if (subtasks.empty())
    return invalid("the plan has no subtasks");
  if (subtasks.size() > limit)
    return invalid("the plan has " + std::to_string(subtasks.size()) + " subtasks, more than "
                   + std::to_string(limit));
  auto n = static_cast<int>(subtasks.size());
  std::vector<bool> numbered(subtasks.size() + 1, false);
  for (const auto& s : subtasks) {
    if (s.number < 1 || s.number > n)
      return invalid("subtask " + std::to_string(s.number) + " is not numbered 1.."
                     + std::to_string(n));
    if (numbered[static_cast<size_t>(s.number)])
      return invalid("subtask " + std::to_string(s.number) + " appears twice");
    numbered[static_cast<size_t>(s.number)] = true;
  }
  graph deps(subtasks.size() + 1);
  for (const auto& s : subtasks) {
    for (int dep : s.depends_on) {
      if (dep == s.number)
        return invalid("subtask " + std::to_string(dep) + " depends on itself");
      if (dep < 1 || dep > n)
        return invalid("subtask " + std::to_string(s.number) + " depends on " + std::to_string(dep)
                       + ", which is not in the plan");
      deps[static_cast<size_t>(s.number)].push_back(dep);
    }
  }
  for (int i = 1; i <= n; ++i)
    for (int dep : deps[static_cast<size_t>(i)])
      if (reaches(deps, dep, i))
        return invalid(cycle_text(deps, i));
  return {};
}

void number_subtasks(decomposition& out, std::vector<proposed_item> items, size_t max_subtasks) {
  drop_empty(items, out.warnings);
  out.proposed = items.size();
  auto kept = max_subtasks == 0 ? items.size() : std::min(max_subtasks, items.size());
  if (kept < items.size())
    out.warnings.push_back("the model proposed " + std::to_string(items.size())
                           + " subtasks; only the first " + std::to_string(kept) + " were kept");
  auto refs = reference_map(items);
  for (size_t i = 0; i < kept; ++i) {
    subtask s;
    s.number = static_cast<int>(i + 1);
    s.text = std::move(items[i].text);
    s.specialist = std::move(items[i].specialist);
    s.depends_on =
        resolve(s.number, items[i].depends_on, refs, static_cast<int>(kept), out.warnings);
    out.subtasks.push_back(std::move(s));
  }
  break_cycles(out);
}

std::vector<std::vector<int>> waves(const decomposition& d) {
  std::set<int> known;
  for (const auto& s : d.subtasks)
    known.insert(s.number);
  std::set<int> placed;
  std::vector<const subtask*> remaining;
  for (const auto& s : d.subtasks)
    remaining.push_back(&s);
  std::vector<std::vector<int>> out;
  while (!remaining.empty()) {
    auto ready = [&](const subtask* s) {
      return std::all_of(s->depends_on.begin(), s->depends_on.end(), [&](int dep) {
        return dep == s->number || !known.contains(dep) || placed.contains(dep);
      });
    };
    std::vector<const subtask*> wave, later;
    for (const auto* s : remaining)
      (ready(s) ? wave : later).push_back(s);
    if (wave.empty()) // a cycle: nothing more can be ordered
      std::swap(wave, later);
    out.emplace_back();
    for (const auto* s : wave) {
      out.back().push_back(s->number);
      placed.insert(s->number);
    }
    remaining = std::move(later);
  }
  return out;
}

} // namespace et::plan
