#include "et/util/cores.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace et::util {

namespace {

// One core runs one thread at a time: a second worker only adds switches between them.
unsigned fewest_workers(unsigned cores) {
  return cores == 1 ? 1u : 2u;
}

// Files of /proc and /sys are the kernel's, but read as any file: at most `limit` bytes.
std::optional<std::string> read_small(const std::filesystem::path& file, std::size_t limit) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::string text(limit, '\0');
  in.read(text.data(), static_cast<std::streamsize>(limit));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

std::optional<std::uint64_t> whole_number(std::string_view text) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return n;
}

// The path of the "0::/path" line (cgroup v2), split at '/'; nullopt when there is none or
// it is not a plain absolute path (a ".." would leave the mount).
std::optional<std::vector<std::string_view>> v2_path(std::string_view text) {
  constexpr std::size_t max_depth = 64;
  for (std::size_t at = 0; at < text.size();) {
    auto end = std::min(text.find('\n', at), text.size());
    auto line = text.substr(at, end - at);
    at = end + 1;
    if (line.substr(0, 3) != "0::")
      continue;
    auto path = line.substr(3);
    if (path.empty() || path.front() != '/')
      return std::nullopt;
    std::vector<std::string_view> parts;
    for (std::size_t from = 1; from <= path.size();) {
      auto slash = std::min(path.find('/', from), path.size());
      auto part = path.substr(from, slash - from);
      from = slash + 1;
      if (part.empty())
        continue;
      if (part == "." || part == ".." || parts.size() == max_depth)
        return std::nullopt;
      parts.push_back(part);
    }
    return parts;
  }
  return std::nullopt;
}

} // namespace

std::optional<unsigned> cores_of_cpu_max(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.remove_suffix(1);
  auto space = text.find(' ');
  if (space == std::string_view::npos)
    return std::nullopt;
  auto quota = whole_number(text.substr(0, space));
  auto period = whole_number(text.substr(space + 1));
  if (!quota || !period || *period == 0 || *quota == 0)
    return std::nullopt; // "max 100000" is no quota; anything else is not a quota we can read
  auto cores = *quota / *period + (*quota % *period != 0 ? 1 : 0);
  return static_cast<unsigned>(std::min<std::uint64_t>(cores, max_cores));
}

std::optional<unsigned> cgroup_quota_cores(const std::filesystem::path& root,
                                           std::string_view proc_self_cgroup) {
  auto parts = v2_path(proc_self_cgroup);
  if (!parts)
    return std::nullopt;
  std::optional<unsigned> least;
  auto dir = root;
  // The cgroup itself and every one above it, up to the mount: each may set a quota.
  for (std::size_t depth = 0; depth <= parts->size(); ++depth) {
    if (depth > 0)
      dir /= std::string{(*parts)[depth - 1]};
    auto text = read_small(dir / "cpu.max", 256);
    auto cores = text ? cores_of_cpu_max(*text) : std::nullopt;
    if (cores && (!least || *cores < *least))
      least = cores;
  }
  return least;
}

unsigned usable_cores() {
  unsigned cores = std::thread::hardware_concurrency();
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    cores = static_cast<unsigned>(CPU_COUNT(&set));
  if (auto self = read_small("/proc/self/cgroup", 64 * 1024))
    if (auto quota = cgroup_quota_cores("/sys/fs/cgroup", *self))
      cores = std::min(cores, *quota);
  return std::clamp(cores, 1u, max_cores);
}

thread_plan plan_threads(unsigned cores) {
  constexpr unsigned most_per_pool = 32;
  cores = std::clamp(cores, 1u, max_cores);
  auto share = std::min(cores / 3, most_per_pool);
  return {cores, std::max(share, fewest_workers(cores)), std::max(share, 1u), std::max(share, 1u)};
}

thread_plan command_plan(unsigned cores) {
  cores = std::clamp(cores, 1u, max_cores);
  return {cores, fewest_workers(cores), 1, 1};
}

thread_plan workers_plan(unsigned cores) {
  cores = std::clamp(cores, 1u, max_cores);
  return {cores, std::min(cores, 96u), 0, 0, true};
}

} // namespace et::util
