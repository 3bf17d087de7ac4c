#include "et/util/private_files.hpp"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace et {

namespace {

namespace fs = std::filesystem;

constexpr mode_t private_dir_mode = 0700;
constexpr mode_t private_file_mode = 0600;

failure io_failure(const std::string& what, const fs::path& p, int err) {
  return make_failure(errc::io_error, what + " " + p.string() + ": " + std::strerror(err));
}

// Loose bits are those beyond `wanted`; only the owner may (and should) change them.
bool needs_tightening(const struct stat& st, mode_t wanted) {
  return st.st_uid == ::geteuid() && (st.st_mode & 07777 & ~wanted) != 0;
}

bool hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool gone(pid_t pid) {
  return pid == ::getpid() || (::kill(pid, 0) != 0 && errno == ESRCH);
}

} // namespace

result<void> make_dirs(const fs::path& dir, mode_t mode) {
  fs::path at;
  for (const auto& part : dir) {
    at /= part;
    if (::mkdir(at.c_str(), mode) != 0 && errno != EEXIST)
      return io_failure("cannot create", at, errno);
  }
  return {};
}

result<void> make_private_dir(const fs::path& dir) {
  // Parents are created 0700 too, but never re-moded when they exist: not ours to judge.
  if (auto made = make_dirs(dir, private_dir_mode); !made)
    return made;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    return io_failure("cannot inspect", dir, errno);
  if (!S_ISDIR(st.st_mode))
    return io_failure("cannot use", dir, ENOTDIR);
  if (needs_tightening(st, private_dir_mode)
      && ::chmod(dir.c_str(), st.st_mode & private_dir_mode) != 0)
    return io_failure("cannot make private", dir, errno);
  return {};
}

result<int> open_private_file(const fs::path& file, int flags) {
  // Never through a symlink, never anything but a regular file: a planted link would take
  // et's writes (and its chmod) wherever it points, a FIFO would hang it.
  int fd = ::open(file.c_str(), flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, private_file_mode);
  if (fd < 0)
    return io_failure("cannot open", file, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return io_failure("cannot open", file, EINVAL);
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (needs_tightening(st, private_file_mode))
    ::fchmod(fd, st.st_mode & private_file_mode);
  return fd;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = EIO; // never spin on a write that takes nothing
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void tighten_private_file(const fs::path& file) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode)
      && needs_tightening(st, private_file_mode))
    ::chmod(file.c_str(), st.st_mode & private_file_mode);
}

std::string temp_name_for(std::string_view name) {
  static thread_local std::mt19937_64 random{std::random_device{}()
                                             ^ (uint64_t(std::random_device{}()) << 32)};
  char suffix[64];
  std::snprintf(suffix, sizeof suffix, ".et-%ld-%016llx.tmp", static_cast<long>(::getpid()),
                static_cast<unsigned long long>(random()));
  return std::string{name} + suffix;
}

bool is_temp_name(std::string_view name, pid_t* pid) {
  // NAME ".et-" PID "-" 16 hex ".tmp", with a non-empty NAME.
  constexpr std::string_view tail = ".tmp";
  if (name.size() < tail.size() + 17 || !name.ends_with(tail))
    return false;
  name.remove_suffix(tail.size());
  auto random = name.substr(name.size() - 16);
  for (char c : random)
    if (!hex(c))
      return false;
  name.remove_suffix(16);
  if (!name.ends_with('-'))
    return false;
  name.remove_suffix(1);
  size_t digits = 0;
  while (digits < name.size() && name[name.size() - 1 - digits] >= '0'
         && name[name.size() - 1 - digits] <= '9')
    ++digits;
  if (digits == 0 || digits > 9)
    return false;
  auto number = name.substr(name.size() - digits);
  name.remove_suffix(digits);
  if (!name.ends_with(".et-") || name.size() == 4)
    return false;
  if (pid)
    *pid = static_cast<pid_t>(std::stol(std::string{number}));
  return true;
}

size_t remove_stale_temps(const fs::path& dir, bool recursive) {
  size_t removed = 0;
  std::error_code ec;
  fs::directory_iterator it{dir, ec}, end;
  for (; !ec && it != end; it.increment(ec)) {
    auto status = it->symlink_status(ec);
    if (ec)
      break;
    pid_t pid = 0;
    if (fs::is_regular_file(status) && is_temp_name(it->path().filename().string(), &pid)
        && gone(pid)) {
      removed += fs::remove(it->path(), ec) ? 1 : 0;
      ec.clear();
    } else if (recursive && fs::is_directory(status)) {
      removed += remove_stale_temps(it->path(), true);
    }
  }
  return removed;
}

} // namespace et
