#pragma once
/// A file descriptor closed when it goes out of scope: for code that opens files with
/// openat/O_NOFOLLOW and the like, where a stream would not do.

#include <unistd.h>
#include <utility>

namespace et {

/// Owns one file descriptor (-1: none) and closes it when it goes.
class unique_fd {
public:
  /// Takes `fd` (-1: none).
  explicit unique_fd(int fd = -1) noexcept : fd_(fd) {}
  /// Takes `other`'s descriptor.
  unique_fd(unique_fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  /// Swaps with `other`, which closes this one's old descriptor when it goes.
  unique_fd& operator=(unique_fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  /// The descriptor (-1: none).
  int get() const noexcept { return fd_; }
  /// True when it holds one.
  explicit operator bool() const noexcept { return fd_ >= 0; }

private:
  int fd_;
};

} // namespace et
