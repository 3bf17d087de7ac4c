#pragma once
/// Helpers shared by the et/http suites: a recorder that turns an exchange's
/// callbacks into a value the test thread can wait for.

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "et/http/client.hpp"
#include "et/http/runtime.hpp"

namespace et::test {

/// Everything the callbacks of one exchange reported.
struct outcome {
  std::optional<http::response_head> head; ///< from on_head
  std::vector<std::string> pieces;         ///< every on_body call, in order
  std::optional<result<void>> done;        ///< from on_done (unset if it never came)
  int done_calls = 0;                      ///< how often on_done ran

  /// The whole body.
  std::string body() const {
    std::string out;
    for (const auto& p : pieces)
      out += p;
    return out;
  }
  /// True when on_done reported success.
  bool ok() const { return done && done->has_value(); }
  /// The failure's class, or nullopt on success or no completion.
  std::optional<errc> error() const {
    if (!done || done->has_value())
      return std::nullopt;
    return done->error().code;
  }
  /// "ok", "pending" (no on_done yet) or the failure's class, e.g. "network".
  std::string verdict() const {
    if (!done)
      return "pending";
    return done->has_value() ? "ok" : std::string{to_string(done->error().code)};
  }
  /// The failure's message, "" on success.
  std::string message() const { return error() ? done->error().message : std::string{}; }
  /// Whether it failed before the request reached the server.
  bool unsent() const { return error() && done->error().unsent; }
};

/// Records the callbacks of one exchange; wait() returns once on_done ran.
class recorder {
public:
  recorder() : state_(std::make_shared<state>()) { finished_ = state_->finished.get_future(); }

  /// Handlers that record into this recorder.
  http::handlers handlers() {
    auto s = state_;
    http::handlers h;
    h.on_head = [s](const http::response_head& head) {
      std::lock_guard<std::mutex> guard{s->mutex};
      s->out.head = head;
      if (!s->head_seen_set) {
        s->head_seen_set = true;
        s->head_seen.set_value();
      }
    };
    h.on_body = [s](std::string_view piece) {
      std::lock_guard<std::mutex> guard{s->mutex};
      s->out.pieces.emplace_back(piece);
      s->body_seen.notify_all();
    };
    h.on_done = [s](result<void> r) {
      std::lock_guard<std::mutex> guard{s->mutex};
      ++s->out.done_calls;
      if (s->out.done_calls == 1) {
        s->out.done = std::move(r);
        s->finished.set_value();
      }
    };
    return h;
  }

  /// Waits (bounded) for on_done and returns what was recorded.
  outcome wait(std::chrono::seconds bound = std::chrono::seconds{10}) {
    finished_.wait_for(bound);
    return snapshot();
  }

  /// Waits (bounded) for on_head; false when it did not come.
  bool wait_head(std::chrono::seconds bound = std::chrono::seconds{10}) {
    return state_->head_seen.get_future().wait_for(bound) == std::future_status::ready;
  }

  /// Waits (bounded) until at least `n` body pieces arrived.
  bool wait_pieces(std::size_t n, std::chrono::seconds bound = std::chrono::seconds{10}) {
    std::unique_lock<std::mutex> lock{state_->mutex};
    return state_->body_seen.wait_for(lock, bound, [&] { return state_->out.pieces.size() >= n; });
  }

  /// What was recorded so far.
  outcome snapshot() const {
    std::lock_guard<std::mutex> guard{state_->mutex};
    return state_->out;
  }

private:
  struct state {
    std::mutex mutex;
    std::condition_variable body_seen;
    outcome out;
    std::promise<void> finished;
    std::promise<void> head_seen;
    bool head_seen_set = false;
  };
  std::shared_ptr<state> state_;
  std::future<void> finished_;
};

/// A request for `target` on the server at `base_url`, with short timeouts.
inline http::request make_request(const std::string& base_url, std::string method = "GET",
                                  std::string target = "/") {
  http::request r;
  r.method = std::move(method);
  r.base = parse_url(base_url).value();
  r.target = std::move(target);
  r.timeouts.connect = std::chrono::milliseconds{5'000};
  r.timeouts.first_byte = std::chrono::milliseconds{5'000};
  r.timeouts.idle = std::chrono::milliseconds{5'000};
  r.timeouts.total = std::chrono::milliseconds{20'000};
  return r;
}

/// Sends `req` and waits for its outcome.
inline outcome fetch(http::client& c, http::request req) {
  recorder rec;
  c.send(std::move(req), rec.handlers());
  return rec.wait();
}

/// True when `text` contains `part`.
inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace et::test
