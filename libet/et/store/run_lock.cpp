#include "et/store/run_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <unistd.h>

namespace et::store {

namespace {

constexpr const char* lock_name = "lock";

std::string holder_pid(int fd) {
  char buf[32] = {};
  auto n = pread(fd, buf, sizeof buf - 1, 0);
  std::string pid = n > 0 ? std::string{buf, static_cast<size_t>(n)} : std::string{};
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
    pid.pop_back();
  bool digits = !pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos;
  return digits ? pid : std::string{};
}

} // namespace

void run_lock::fd_closer::operator()(int* fd) const {
  if (*fd >= 0)
    ::close(*fd); // closing the last descriptor of the open file drops the flock
  delete fd;
}

run_lock::run_lock(std::filesystem::path file, int fd)
    : file_(std::move(file)), fd_(new int{fd}, fd_closer{}) {}

result<run_lock> run_lock::acquire(const std::filesystem::path& run_dir) {
  auto file = run_dir / lock_name;
  auto id = run_dir.filename().string();
  // CLOEXEC: a verify command the run starts must not inherit (and outlive us holding) it.
  // NOFOLLOW: a planted `lock` symlink would have us truncate whatever it points to.
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return make_failure(errc::io_error, "run " + id + ": cannot open " + file.string() + ": "
                                            + std::strerror(errno));
  // `et runs` may hold a shared lock for an instant (in_use): a moment's retries tell that
  // from a run that holds it.
  int err = 0;
  for (int tries = 0; tries < 10; ++tries) {
    err = ::flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno;
    if (err != EWOULDBLOCK)
      break;
    ::usleep(5000);
  }
  if (err != 0) {
    auto pid = holder_pid(fd);
    ::close(fd);
    if (err == EWOULDBLOCK)
      return make_failure(errc::io_error, "run " + id + " is in use by "
                                              + (pid.empty() ? "another process" : "pid " + pid));
    return make_failure(errc::io_error,
                        "run " + id + ": cannot lock " + file.string() + ": " + std::strerror(err));
  }
  run_lock lock{file, fd};
  auto pid = std::to_string(::getpid()) + "\n";
  // The pid is only for the message a second process prints; failing to write it is harmless.
  if (::ftruncate(fd, 0) == 0)
    (void)!::pwrite(fd, pid.data(), pid.size(), 0);
  return lock;
}

bool run_lock::in_use(const std::filesystem::path& run_dir) {
  auto file = run_dir / lock_name;
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  // No lock file: a run between writing its journal and taking its lock, or one from an et
  // before locks; either way not known to be dead.
  if (fd < 0)
    return true;
  // A shared lock for a moment: it fails only while a run holds its exclusive one.
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd); // drops the shared lock, if taken
  return held;
}

} // namespace et::store
