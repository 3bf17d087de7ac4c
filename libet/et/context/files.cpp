#include "et/context/files.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

#include "et/session/process.hpp"
#include "et/util/text.hpp"
#include "et/util/unique_fd.hpp"

namespace et::context {

namespace fs = std::filesystem;

namespace {

bool skipped_folder_name(std::string_view name) {
  return (!name.empty() && name[0] == '.') || name.substr(0, 5) == "build"
         || name == "node_modules";
}

// `git ARGS...` in `root`, with what a project's own .git/config could make it run switched
// off (an empty core.fsmonitor is off in every git; "false" is a hook path in git 2.16-2.35):
// core.fsmonitor names a command that `ls-files` runs (a repository unpacked from
// someone else's archive would run its command as the user, API keys in its environment).
std::vector<std::string> git_in(const fs::path& root, std::initializer_list<const char*> args) {
  std::vector<std::string> argv{"git",
                                "-c",
                                "core.fsmonitor=",
                                "-c",
                                "core.untrackedCache=false",
                                "--no-optional-locks",
                                "-C",
                                root.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The error for a listing past `max` bytes of file names.
failure too_large(const std::string& what, size_t max) {
  return make_failure(errc::invalid_input,
                      what + " listed more than "
                          + (max % (1 << 20) == 0 ? std::to_string(max >> 20) + " MiB"
                                                  : std::to_string(max) + " bytes")
                          + " of file names: too large a tree to index");
}

// The files git knows under `root` (tracked and untracked-not-ignored), or nullopt when
// `root` is not in a git work tree or git cannot run; an error past `max` bytes of listing.
result<std::optional<std::vector<std::string>>> git_files(const fs::path& root, size_t max) {
  auto r = session::run_process(git_in(root, {"ls-files", "-z", "-co", "--exclude-standard"}), {},
                                {}, max);
  using listing = std::optional<std::vector<std::string>>;
  if (!r || r->exit_code != 0)
    return listing{};
  if (r->out_dropped > 0)
    return too_large("git ls-files in " + root.string(), max);
  std::vector<std::string> out;
  for (size_t start = 0; start < r->out.size();) {
    auto end = r->out.find('\0', start);
    if (end == std::string::npos)
      end = r->out.size();
    if (end > start)
      out.push_back(r->out.substr(start, end - start));
    start = end + 1;
  }
  return listing{std::move(out)};
}

// The regular files under `root`, never through a symlink; an error once the names of the
// entries it met (folders and skipped ones too, so a tree of empty folders is bounded as well)
// pass `max` bytes.
result<std::vector<std::string>> walk_files(const fs::path& root, size_t max) {
  std::vector<std::string> out;
  size_t met = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it{root, fs::directory_options::skip_permission_denied, ec};
  if (ec)
    return make_failure(errc::io_error, "cannot list " + root.string() + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator{}; it.increment(ec)) {
    if (ec)
      return make_failure(errc::io_error, "cannot list " + root.string() + ": " + ec.message());
    auto name = it->path().filename().string();
    met += it->path().native().size() - root.native().size();
    if (met > max)
      return too_large("a walk of " + root.string(), max);
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

// Whether `inner` is `outer` or lies under it (both canonical).
bool holds_path(const fs::path& outer, const fs::path& inner) {
  return std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end()).first == outer.end();
}

} // namespace

// Whether `top` is where the repository whose git dir is `git_dir` keeps its work: its .git is
// that very folder, or a file (a worktree's or a submodule's, which names its git dir).
bool own_top_level(const fs::path& top, const fs::path& git_dir) {
  std::error_code ec;
  auto dot_git = fs::symlink_status(top / ".git", ec);
  if (fs::is_regular_file(dot_git))
    return true;
  return fs::is_directory(dot_git) && fs::equivalent(top / ".git", git_dir, ec);
}

result<fs::path> project_root(const fs::path& dir) {
  std::error_code ec;
  auto canonical = fs::canonical(dir, ec);
  if (ec || !fs::is_directory(canonical, ec))
    return make_failure(errc::io_error, "not a folder: " + dir.string());
  auto r = session::run_process(
      git_in(canonical, {"rev-parse", "--show-toplevel", "--absolute-git-dir"}));
  if (r && r->exit_code == 0) {
    std::vector<std::string> lines; // the top level, then the git dir
    for (size_t at = 0; at < r->out.size();) {
      auto end = std::min(r->out.find('\n', at), r->out.size());
      lines.push_back(r->out.substr(at, end - at));
      at = end + 1;
    }
    // The repository's own config may set core.worktree to any folder (an unpacked archive
    // can carry one, `../..` making the project your home, itself perhaps a dotfiles
    // repository): only a top level that holds the folder asked for and keeps this very
    // repository is it.
    if (lines.size() == 2)
      if (auto c = fs::canonical(lines[0], ec);
          !ec && holds_path(c, canonical) && own_top_level(c, lines[1]))
        return c;
  }
  return canonical;
}

bool secret_file_name(std::string_view name) {
  auto lower = ascii_lower(name);
  for (std::string_view exact :
       {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk", "credentials",
        "credentials.json", "service-account.json", "kubeconfig", "electrictown.yaml"})
    if (lower == exact)
      return true;
  for (std::string_view suffix : {".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".kdbx",
                                  ".tfstate", ".tfstate.backup", ".tfvars", ".tfvars.json", ".ppk"})
    if (lower.size() > suffix.size() && lower.ends_with(suffix))
      return true;
  return false;
}

bool never_indexed(std::string_view relative) {
  size_t start = 0;
  while (true) {
    auto slash = relative.find('/', start);
    if (slash == std::string_view::npos) { // the file's own name: a dot-file may hold secrets
      auto name = relative.substr(start);
      return name.substr(0, 1) == "." || secret_file_name(name);
    }
    if (skipped_folder_name(relative.substr(start, slash - start)))
      return true;
    start = slash + 1;
  }
}

result<std::vector<std::string>> list_files(const fs::path& root, size_t max_listing) {
  std::vector<std::string> files;
  auto listed = git_files(root, max_listing);
  if (!listed)
    return listed.error();
  if (*listed) {
    files = std::move(**listed);
  } else {
    auto walked = walk_files(root, max_listing);
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

namespace {

// Opens root/relative to read, following no symlink at any step (a listed folder replaced by a
// symlink must not lead out of the root) and never blocking (a FIFO put in a file's place).
// -1 with errno set when it cannot.
int open_beneath(const fs::path& root, const std::string& relative) {
  unique_fd dir{::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (!dir)
    return -1;
  size_t begin = 0;
  while (true) {
    auto end = relative.find('/', begin);
    auto part = relative.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    bool last = end == std::string::npos;
    if (part.empty() || part == "." || part == "..") {
      errno = ENOENT;
      return -1;
    }
    int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY);
    int next = ::openat(dir.get(), part.c_str(), flags);
    if (next < 0 || last)
      return next; // the guard's close leaves errno alone when it succeeds

    dir = unique_fd{next};
    begin = end + 1;
  }
}

} // namespace

file_read read_candidate(const fs::path& root, const std::string& relative, uintmax_t max_bytes) {
  unique_fd f{open_beneath(root, relative)};
  if (!f) // a symlink on the way (ELOOP, ENOTDIR) is not a file of the project
    return {errno == ELOOP || errno == ENOTDIR ? skip_reason::not_regular : skip_reason::missing,
            {}};
  struct stat st {};
  if (::fstat(f.get(), &st) != 0)
    return {skip_reason::missing, {}};
  if (!S_ISREG(st.st_mode))
    return {skip_reason::not_regular, {}};
  if (static_cast<uintmax_t>(st.st_size) > max_bytes)
    return {skip_reason::too_big, {}};
  // At most one byte more than allowed: a file that grows meanwhile is not read whole.
  std::string bytes;
  char buf[65536];
  while (bytes.size() <= max_bytes) {
    auto n = ::read(f.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return {skip_reason::missing, {}};
    if (n == 0)
      break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  if (bytes.size() > max_bytes) // grew while we read it
    return {skip_reason::too_big, {}};
  if (bytes.substr(0, binary_probe_bytes).find('\0') != std::string::npos)
    return {skip_reason::binary, {}};
  // A private key under any name ("-----BEGIN RSA PRIVATE KEY-----", OpenSSH's, PKCS#8's):
  // a project's test fixture or a stray key must not reach a prompt or an embedding provider.
  if (holds_private_key(bytes))
    return {skip_reason::secret, {}};
  return {skip_reason::none, std::move(bytes)};
}

} // namespace et::context
