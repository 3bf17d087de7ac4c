#include "et/context/files.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <system_error>

#include "et/session/process.hpp"

namespace et::context {

namespace fs = std::filesystem;

namespace {

bool skipped_folder_name(std::string_view name) {
  return (!name.empty() && name[0] == '.') || name.substr(0, 5) == "build"
         || name == "node_modules";
}

// The files git knows under `root` (tracked and untracked-not-ignored), or nullopt when
// `root` is not in a git work tree or git cannot run.
std::optional<std::vector<std::string>> git_files(const fs::path& root) {
  auto r = session::run_process(
      {"git", "-C", root.string(), "ls-files", "-z", "-co", "--exclude-standard"});
  if (!r || r->exit_code != 0)
    return std::nullopt;
  std::vector<std::string> out;
  for (size_t start = 0; start < r->out.size();) {
    auto end = r->out.find('\0', start);
    if (end == std::string::npos)
      end = r->out.size();
    if (end > start)
      out.push_back(r->out.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

result<std::vector<std::string>> walk_files(const fs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::recursive_directory_iterator it{root, fs::directory_options::skip_permission_denied, ec};
  if (ec)
    return make_failure(errc::io_error, "cannot list " + root.string() + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator{}; it.increment(ec)) {
    if (ec)
      return make_failure(errc::io_error, "cannot list " + root.string() + ": " + ec.message());
    auto name = it->path().filename().string();
    if (it->is_symlink(ec))
      continue; // never followed: a link may lead out of the project
    if (it->is_directory(ec)) {
      if (skipped_folder_name(name))
        it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec))
      out.push_back(it->path().lexically_relative(root).generic_string());
  }
  return out;
}

} // namespace

result<fs::path> project_root(const fs::path& dir) {
  std::error_code ec;
  auto canonical = fs::canonical(dir, ec);
  if (ec || !fs::is_directory(canonical, ec))
    return make_failure(errc::io_error, "not a folder: " + dir.string());
  auto r = session::run_process({"git", "-C", canonical.string(), "rev-parse", "--show-toplevel"});
  if (r && r->exit_code == 0) {
    auto top = r->out;
    while (!top.empty() && (top.back() == '\n' || top.back() == '\r'))
      top.pop_back();
    if (auto c = fs::canonical(top, ec); !ec)
      return c;
  }
  return canonical;
}

bool never_indexed(std::string_view relative) {
  size_t start = 0;
  while (true) {
    auto slash = relative.find('/', start);
    if (slash == std::string_view::npos) // the file's own name: a dot-file may hold secrets
      return relative.substr(start, 1) == ".";
    if (skipped_folder_name(relative.substr(start, slash - start)))
      return true;
    start = slash + 1;
  }
}

result<std::vector<std::string>> list_files(const fs::path& root) {
  std::vector<std::string> files;
  if (auto listed = git_files(root)) {
    files = std::move(*listed);
  } else {
    auto walked = walk_files(root);
    if (!walked)
      return walked.error();
    files = std::move(*walked);
  }
  std::erase_if(files, [](const std::string& f) { return never_indexed(f); });
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

std::string file_stamp::text() const {
  return std::to_string(size) + ":" + std::to_string(mtime_ns) + ":" + std::to_string(ctime_ns)
         + ":" + std::to_string(inode);
}

std::optional<file_stamp> stamp_of(const fs::path& root, const std::string& relative) {
  struct stat st {};
  if (::lstat((root / relative).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return std::nullopt;
  auto ns = [](const timespec& t) {
    return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
  };
  return file_stamp{static_cast<int64_t>(st.st_size), ns(st.st_mtim), ns(st.st_ctim),
                    static_cast<uint64_t>(st.st_ino)};
}

file_read read_candidate(const fs::path& root, const std::string& relative, uintmax_t max_bytes) {
  auto file = root / relative;
  std::error_code ec;
  auto status = fs::symlink_status(file, ec);
  if (ec || !fs::exists(status))
    return {skip_reason::missing, {}};
  if (!fs::is_regular_file(status))
    return {skip_reason::not_regular, {}};
  auto size = fs::file_size(file, ec);
  if (ec)
    return {skip_reason::missing, {}};
  if (size > max_bytes)
    return {skip_reason::too_big, {}};
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return {skip_reason::missing, {}};
  std::string bytes{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  if (bytes.size() > max_bytes) // grew while we read it
    return {skip_reason::too_big, {}};
  if (bytes.substr(0, binary_probe_bytes).find('\0') != std::string::npos)
    return {skip_reason::binary, {}};
  return {skip_reason::none, std::move(bytes)};
}

} // namespace et::context
