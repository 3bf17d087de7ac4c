#include "et/store/holder.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <mutex>
#include <signal.h>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "et/util/private_files.hpp"

namespace et::store {

namespace {

namespace fs = std::filesystem;

// Leases of old processes are removed when a process takes its own; a folder with more files
// than this is looked at this far only (each look is an open and a lock).
constexpr size_t max_swept_leases = 10'000;
// Longer holders are not et's and name no lease file.
constexpr size_t max_holder_bytes = 200;

std::string read_first_line(const std::string& path) {
  std::ifstream in{path};
  std::string line;
  std::getline(in, line);
  return line;
}

// Field 22 of /proc/PID/stat (start time in clock ticks since boot). The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted after its last ')'.
std::string start_ticks(const std::string& proc) {
  auto stat = read_first_line(proc + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos)
    return {};
  std::istringstream rest{stat.substr(close + 1)};
  std::string field;
  for (int i = 3; i <= 22 && (rest >> field); ++i)
    if (i == 22)
      return field;
  return {};
}

// The inode of the PID namespace (from "pid:[4026531836]"), "?" when it cannot be read (another
// user's process, no /proc).
std::string pid_namespace(const std::string& proc) {
  char link[64] = {};
  auto n = ::readlink((proc + "/ns/pid").c_str(), link, sizeof link - 1);
  std::string text = n > 0 ? std::string{link, static_cast<size_t>(n)} : std::string{};
  auto open = text.find('['), close = text.rfind(']');
  if (open == std::string::npos || close == std::string::npos || close <= open + 1)
    return "?";
  return text.substr(open + 1, close - open - 1);
}

std::string holder_of(pid_t pid, const std::string& proc) {
  auto ticks = start_ticks(proc);
  if (ticks.empty()) {
    // Without /proc only the pid can be checked.
    if (kill(pid, 0) != 0 && errno != EPERM)
      return {};
    ticks = "?";
  }
  auto boot = read_first_line("/proc/sys/kernel/random/boot_id");
  return std::to_string(pid) + " " + (boot.empty() ? "?" : boot) + " " + ticks + " "
         + pid_namespace(proc);
}

std::vector<std::string> fields(const std::string& holder) {
  std::istringstream in{holder};
  std::vector<std::string> out;
  for (std::string f; in >> f;)
    out.push_back(std::move(f));
  return out;
}

// The lease file's name: the holder's fields joined by '_'. Holders are read back from a
// database file (trusted no more than any file found on disk): one that could name anything
// but a plain file in the folder names none.
std::string lease_name(const std::string& holder) {
  if (holder.empty() || holder.size() > max_holder_bytes)
    return {};
  std::string name;
  for (char c : holder) {
    if (c == ' ')
      name += '_';
    else if (c == '?')
      name += 'x';
    else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')
      name += c;
    else
      return {};
  }
  return name;
}

enum class lease_state { none, held, free };

// Whether a process holds the lease file `file`; a free one is removed (its process is gone).
// A lease that cannot be looked at counts as held: a budget kept too long is safer than one
// spent twice.
lease_state check_lease(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return errno == ENOENT ? lease_state::none : lease_state::held;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return lease_state::none;
  }
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    ::close(fd); // EWOULDBLOCK: its process runs; anything else: cannot tell
    return lease_state::held;
  }
  // Free: its process is gone. The name is removed only while it still leads to the file
  // locked here: another look may have removed that one meanwhile, and a process taking its
  // lease again under the same name may already hold the new file.
  struct stat locked {
  }, named{};
  if (::fstat(fd, &locked) == 0 && locked.st_nlink > 0 && ::stat(file.c_str(), &named) == 0
      && named.st_ino == locked.st_ino && named.st_dev == locked.st_dev)
    ::unlink(file.c_str());
  ::close(fd); // drops the lock
  return lease_state::free;
}

void sweep_leases(const fs::path& dir, const std::string& mine) {
  std::error_code ec;
  size_t seen = 0;
  for (fs::directory_iterator it{dir, ec}, end; !ec && it != end && seen < max_swept_leases;
       it.increment(ec), ++seen)
    if (it->path().filename() != mine)
      check_lease(it->path());
}

// A file system that cannot lock (NFS without a lock daemon, some FUSE file systems).
bool locks_unsupported(int err) {
  return err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS || err == EINVAL;
}

// Makes and locks DIR/NAME; -1 where the file system cannot lock. A process that found the file
// free between our open and our lock may have removed it, leaving us a lock on a file no one
// can find: the lock counts only once the name still leads to the locked file. One looking at
// it holds a shared lock for a moment: the lock is tried again a few times.
result<int> take_lease(const fs::path& dir, const std::string& name) {
  auto file = dir / name;
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto fd = open_private_file(file, O_RDWR | O_CREAT | O_NOFOLLOW);
    if (!fd)
      return fd.error();
    if (::flock(*fd, LOCK_EX | LOCK_NB) != 0) {
      auto err = errno;
      ::close(*fd);
      if (locks_unsupported(err)) {
        ::unlink(file.c_str()); // an unlocked lease would look held to those who cannot lock
        return -1;
      }
      if (err != EWOULDBLOCK)
        return make_failure(errc::io_error,
                            "cannot lock " + file.string() + ": " + std::strerror(err));
      ::usleep(1000);
      continue;
    }
    struct stat opened {
    }, named{};
    if (::fstat(*fd, &opened) == 0 && ::stat(file.c_str(), &named) == 0
        && opened.st_ino == named.st_ino && opened.st_dev == named.st_dev)
      return *fd;
    ::close(*fd);
  }
  return make_failure(errc::io_error,
                      "cannot take " + file.string() + ": another process keeps it locked");
}

struct leases {
  std::mutex mutex;
  pid_t owner = 0;              // the process that took them (a forked child has its own)
  std::map<fs::path, int> held; // folder -> locked fd, kept open until the process exits
};

leases& all_leases() {
  static auto* l = new leases; // never destroyed: a lease lasts as long as the process
  return *l;
}

} // namespace

std::string process_holder(pid_t pid) {
  if (pid <= 0)
    return {};
  return holder_of(pid, "/proc/" + std::to_string(pid));
}

std::string this_process_holder() {
  return holder_of(getpid(), "/proc/self");
}

fs::path lease_dir(const fs::path& database) {
  return database.parent_path() / "holders";
}

result<void> hold_lease(const fs::path& dir) {
  auto& l = all_leases();
  std::lock_guard<std::mutex> guard{l.mutex};
  if (l.owner != getpid()) {
    // A forked child holds copies of its parent's leases, which are not its own: closing them
    // leaves the parent's locks, which last while any copy is open.
    for (auto& [folder, fd] : l.held)
      if (fd >= 0)
        ::close(fd);
    l.held.clear();
    l.owner = getpid();
  }
  if (l.held.count(dir))
    return {};
  auto name = lease_name(this_process_holder());
  if (name.empty())
    return make_failure(errc::io_error, "cannot name this process's lease in " + dir.string());
  if (auto made = make_private_dir(dir); !made)
    return made.error();
  sweep_leases(dir, name);
  auto fd = take_lease(dir, name);
  if (!fd)
    return fd.error();
  // -1: no lease here; holders are checked by pid as before, which other PID namespaces cannot.
  l.held.emplace(dir, *fd);
  return {};
}

bool holder_alive(const std::string& holder, const fs::path& dir) {
  auto f = fields(holder);
  if (f.size() < 3 || f.size() > 4 || f[0].size() > 10
      || f[0].find_first_not_of("0123456789") != std::string::npos)
    return false;
  auto pid = std::stoll(f[0]);
  if (pid <= 0 || pid > 0x7fffffff)
    return false;
  if (auto name = lease_name(holder); !name.empty())
    if (auto lease = check_lease(dir / name); lease != lease_state::none)
      return lease == lease_state::held;
  bool same_namespace = f.size() == 3 || f[3] == "?" || f[3] == pid_namespace("/proc/self");
  if (!same_namespace)
    return false;
  auto now = fields(process_holder(static_cast<pid_t>(pid)));
  return now.size() >= 3 && std::equal(f.begin(), f.begin() + 3, now.begin());
}

} // namespace et::store
