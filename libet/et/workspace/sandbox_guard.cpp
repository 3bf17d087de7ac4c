#include "et/workspace/sandbox_guard.hpp"

#include <array>
#include <deque>
#include <set>
#include <sys/stat.h>
#include <system_error>

#include "et/workspace/auto_run.hpp"

namespace et::workspace {

namespace fs = std::filesystem;

namespace {

// Relative to the home folder. Tools find their configuration elsewhere (~/.gitconfig,
// ~/.cargo/config.toml, ~/.npmrc without a token), so only the stores of secrets are hidden.
constexpr std::array<const char*, 17> credential_names{".ssh",
                                                       ".gnupg",
                                                       ".aws",
                                                       ".azure",
                                                       ".kube",
                                                       ".docker",
                                                       ".netrc",
                                                       ".git-credentials",
                                                       ".pypirc",
                                                       ".config/gh",
                                                       ".config/gcloud",
                                                       ".config/hub",
                                                       ".config/op",
                                                       ".password-store",
                                                       ".cargo/credentials.toml",
                                                       ".cargo/credentials",
                                                       ".terraform.d/credentials.tfrc.json"};

// A dangling symlink hides nothing, and bwrap could not mount over it.
bool exists_followed(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

// The arguments of `wrapper` up to its final "--", then `extra`, then the "--".
void insert_before_command(std::vector<std::string>& wrapper,
                           const std::vector<std::string>& extra) {
  auto at = wrapper.empty() || wrapper.back() != "--" ? wrapper.end() : wrapper.end() - 1;
  wrapper.insert(at, extra.begin(), extra.end());
}

} // namespace

std::vector<fs::path> credential_paths(const fs::path& home) {
  std::vector<fs::path> out;
  if (home.empty() || !home.is_absolute())
    return out;
  for (const auto* name : credential_names)
    if (auto p = home / name; exists_followed(p))
      out.push_back(p);
  return out;
}

auto_run_scan scan_auto_run(const fs::path& dir, size_t max_entries) {
  auto_run_scan scan;
  size_t seen = 0;
  std::deque<fs::path> folders{fs::path{}};
  while (!folders.empty()) {
    auto rel = std::move(folders.front());
    folders.pop_front();
    std::error_code ec;
    for (fs::directory_iterator it{dir / rel, ec}, end; !ec && it != end; it.increment(ec)) {
      if (++seen > max_entries) {
        scan.complete = false;
        return scan;
      }
      auto child = rel / it->path().filename();
      if (runs_on_its_own(child.generic_string())) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) == 0)
          scan.found.emplace(child.generic_string(),
                             entry_id{static_cast<uint64_t>(st.st_dev),
                                      static_cast<uint64_t>(st.st_ino), S_ISLNK(st.st_mode)});
        continue;
      }
      std::error_code type_ec;
      if (it->symlink_status(type_ec).type() == fs::file_type::directory)
        folders.push_back(std::move(child));
    }
  }
  return scan;
}

guarded_outcome run_guarded(command_spec spec, const std::atomic<bool>* cancel) {
  guarded_outcome out;
  auto before = scan_auto_run(spec.dir);
  if (!before.complete)
    out.notes.push_back("the folder has too many entries to look through for files that run on "
                        "their own; only those found are kept read-only");
  std::vector<std::string> read_only;
  std::set<entry_id> there;
  for (const auto& [rel, id] : before.found) {
    there.insert(id);
    auto p = (spec.dir / rel).string();
    if (!id.symlink)
      read_only.insert(read_only.end(), {"--ro-bind", p, p});
  }
  insert_before_command(spec.wrapper, read_only);
  out.outcome = run_command(spec, cancel);
  auto after = scan_auto_run(spec.dir);
  for (const auto& [rel, id] : after.found) {
    if (there.count(id))
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
