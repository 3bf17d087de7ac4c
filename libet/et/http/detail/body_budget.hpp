#pragma once
/// The bytes of request bodies a server holds at once, shared by its connections.
///
/// Each body may be as large as the body bound (32 MiB at the gateway) and each of the
/// server's connections may bring one: without a bound on their sum, a few hundred
/// clients sending large bodies at once would hold gigabytes. A connection takes the bytes
/// of its body as they arrive (what a body only announces holds no memory, so a client
/// that announces much and sends little cannot crowd others out), and gives them back once
/// its response starts (the body has been used by then) or it closes.

#include <atomic>
#include <cstddef>

namespace et::http::detail {

/// Bytes held at once against a limit; thread-safe, lock-free.
class body_budget {
public:
  /// Takes `n` more bytes; false, taking nothing, when the bytes held would pass `limit`.
  bool take(std::size_t n, std::size_t limit) {
    auto held = held_.load(std::memory_order_relaxed);
    do {
      if (held > limit || n > limit - held)
        return false;
    } while (!held_.compare_exchange_weak(held, held + n, std::memory_order_relaxed));
    return true;
  }
  /// Gives back `n` bytes taken before.
  void give_back(std::size_t n) { held_.fetch_sub(n, std::memory_order_relaxed); }
  /// The bytes held now.
  std::size_t held() const { return held_.load(std::memory_order_relaxed); }
  /// The bytes that may still be taken under `limit`.
  std::size_t left(std::size_t limit) const {
    auto held = held_.load(std::memory_order_relaxed);
    return held >= limit ? 0 : limit - held;
  }

private:
  std::atomic<std::size_t> held_{0};
};

} // namespace et::http::detail
