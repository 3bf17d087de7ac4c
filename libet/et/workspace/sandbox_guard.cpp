#include "et/workspace/sandbox_guard.hpp"

#include <deque>
#include <set>
#include <sys/stat.h>
#include <system_error>

#include "et/util/paths.hpp"
#include "et/workspace/auto_run.hpp"

namespace et::workspace {

namespace fs = std::filesystem;

namespace {

// The command may leave many more entries than were there; they are looked through this far.
constexpr size_t max_entries_after = 2'000'000;

// The arguments of `wrapper` up to its final "--", then `extra`, then the "--".
void insert_before_command(std::vector<std::string>& wrapper,
                           const std::vector<std::string>& extra) {
  auto at = wrapper.empty() || wrapper.back() != "--" ? wrapper.end() : wrapper.end() - 1;
  wrapper.insert(at, extra.begin(), extra.end());
}

} // namespace

auto_run_scan scan_auto_run(const fs::path& dir, size_t max_entries) {
  auto_run_scan scan;
  size_t seen = 0;
  std::deque<fs::path> folders{fs::path{}};
  while (!folders.empty()) {
    auto rel = std::move(folders.front());
    folders.pop_front();
    std::error_code ec;
    fs::directory_iterator it{dir / rel, ec}, end;
    for (; !ec && it != end; it.increment(ec)) {
      if (++seen > max_entries) {
        scan.complete = false;
        return scan;
      }
      auto child = rel / it->path().filename();
      if (runs_on_its_own(child.generic_string())) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0) {
          scan.complete = false;
          continue;
        }
        entry_id id{static_cast<uint64_t>(st.st_dev),
                    static_cast<uint64_t>(st.st_ino),
                    S_ISLNK(st.st_mode),
                    {}};
        std::error_code link_ec;
        if (id.symlink)
          id.target = fs::read_symlink(it->path(), link_ec).string();
        scan.found.emplace(child.generic_string(), std::move(id));
        continue;
      }
      std::error_code type_ec;
      if (it->symlink_status(type_ec).type() == fs::file_type::directory)
        folders.push_back(std::move(child));
    }
    if (ec) // a folder it may not read hides what is in it
      scan.complete = false;
  }
  return scan;
}

namespace {

// Whether `id`, found at `rel` after the command, is what was there before. A bound entry cannot
// be removed, renamed or linked elsewhere (a mount point), so its file identity says it all,
// wherever a renamed parent took it; a symlink, not bound, must also be at the same path and
// point to the same place (a new one may reuse a removed one's inode).
bool was_there(const auto_run_scan& before, const std::set<entry_id>& bound, const std::string& rel,
               const entry_id& id) {
  if (!id.symlink)
    return bound.count(id) > 0;
  auto old = before.found.find(rel);
  return old != before.found.end() && old->second.symlink && !(old->second < id)
         && !(id < old->second) && old->second.target == id.target;
}

// What keeps the entries found read-only: each bound onto itself, and for a symlink the file
// it points to when that lies in the folder (".envrc -> env.sh" runs env.sh).
std::vector<std::string> read_only_binds(const fs::path& dir, const auto_run_scan& found,
                                         std::set<entry_id>& bound) {
  std::vector<std::string> args;
  for (const auto& [rel, id] : found.found) {
    auto p = dir / rel;
    std::error_code ec;
    if (id.symlink) {
      auto target = fs::weakly_canonical(p, ec);
      if (ec || !lies_within(target, dir) || !fs::exists(target, ec))
        continue;
      p = target;
    } else {
      bound.insert(id);
    }
    args.insert(args.end(), {"--ro-bind", p.string(), p.string()});
  }
  return args;
}

} // namespace

guarded_outcome run_guarded(command_spec spec, const std::atomic<bool>* cancel,
                            size_t max_entries) {
  guarded_outcome out;
  auto before = scan_auto_run(spec.dir, max_entries);
  std::set<entry_id> bound;
  insert_before_command(spec.wrapper, read_only_binds(spec.dir, before, bound));
  out.outcome = run_command(spec, cancel);
  if (!before.complete) {
    // What was there is not known, so nothing found after can be told to be new.
    out.notes.push_back("the output dir has more entries than et looks through (or folders it "
                        "cannot read): files that run on their own were kept read-only only as "
                        "far as it looked, and none the command made were removed");
    return out;
  }
  auto after = scan_auto_run(spec.dir, max_entries_after);
  if (!after.complete)
    out.notes.push_back("the command left more entries than et looks through (or folders it "
                        "cannot read): files that run on their own it made there may remain");
  for (const auto& [rel, id] : after.found) {
    if (was_there(before, bound, rel, id))
      continue;
    std::error_code ec;
    fs::remove_all(spec.dir / rel, ec); // a symlink itself, never what it points to
    if (ec)
      out.notes.push_back("could not remove " + rel + ": " + ec.message());
    else
      out.removed.push_back(rel);
  }
  return out;
}

} // namespace et::workspace
