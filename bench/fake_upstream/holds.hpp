#pragma once
/// The streams held by x-fake-hold, waiting for POST /fake/release. A held
/// session has no I/O pending, so the list is what keeps it alive. Internal
/// to the fake upstream.

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace et::fake::detail {

/// Wake-up calls of held streams. Thread-safe.
class hold_list {
public:
  /// Holds a stream until the next release_all(); `wake` must only post work
  /// to the stream's strand (it runs on the releasing thread).
  void add(std::function<void()> wake);
  /// Wakes every stream held now; returns how many.
  std::size_t release_all();
  /// Drops every held stream without waking it (the server is stopping).
  void clear();
  /// Streams held now.
  std::size_t size() const;

private:
  mutable std::mutex mutex_;
  std::vector<std::function<void()>> waiting_;
};

} // namespace et::fake::detail
