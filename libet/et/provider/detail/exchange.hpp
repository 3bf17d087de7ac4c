#pragma once
/// What the HTTP provider's exchanges share (http_provider.cpp, http_provider_stream.cpp):
/// the state one exchange gathers across its callbacks, and the one exit of upstream text,
/// which scrubs every secret from a failure.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "et/config/secrets.hpp"
#include "et/http/client.hpp"
#include "et/provider/http_provider.hpp"
#include "et/util/text.hpp"
#include "et/wire/classify.hpp"
#include "et/wire/codec.hpp"

namespace et::provider::detail {

/// Whether `status` is 2xx.
inline bool is_success(int status) {
  return status >= 200 && status < 300;
}

/// What one exchange gathers across its callbacks. The client never runs the
/// callbacks of one exchange concurrently, so no lock is needed.
struct exchange_state {
  int status = 0;
  http::header_list headers;
  std::string error_body;   // whole replies: the body (non-2xx ones are classified)
  bool maybe_whole = false; // a 2xx application/json answer to a stream request: is it one?
  bool whole = false;       // a stream request answered 2xx with one JSON body
  bool answered = false;    // a stream's terminal event came: its answer went out already
  std::unique_ptr<wire::stream_decoder> decoder; // streams only
  std::optional<failure> stream_error;           // a typed error event
  std::vector<chunk> pending;
  size_t chunks_delivered = 0; // events, counted before joining: the same however they arrive

  // Hands on what one read decoded, joined: events that came at once go on as one piece.
  void deliver(const chunk_handler& on_chunk) {
    chunks_delivered += pending.size();
    coalesce(pending);
    for (auto& c : pending)
      on_chunk(std::move(c));
  }

  // send() returns the handle while the I/O thread may already be running
  // the callbacks, so the handle is guarded.
  void set_handle(http::exchange h) {
    std::lock_guard<std::mutex> guard{mutex};
    handle = std::move(h);
  }
  void cancel() {
    std::lock_guard<std::mutex> guard{mutex};
    handle.cancel();
  }

private:
  std::mutex mutex;
  http::exchange handle;
};

/// Transport failures after output reached the caller cannot be retried
/// elsewhere without repeating text, so they become stream_interrupted.
inline failure interrupted(const failure& cause, size_t chunks) {
  auto f = cause;
  f.code = errc::stream_interrupted;
  f.message = "stream cut after " + std::to_string(chunks)
              + (chunks == 1 ? " event: " : " events: ") + to_string(cause);
  return f;
}

/// `f`, typed errc::bad_response when it says a 2xx answer did not decode (invalid_input from
/// a codec): the deployment's fault and not the request's, so the router falls back and a
/// gateway answers 502, not 400.
inline failure upstream_fault(failure f) {
  if (f.code == errc::invalid_input)
    f.code = errc::bad_response;
  return f;
}

/// `r`, its failure typed as by upstream_fault().
template <class T>
result<T> upstream_answer(result<T> r) {
  if (r)
    return r;
  return upstream_fault(std::move(r).error());
}

inline wire::http_reply reply_of(exchange_state& st) {
  return wire::http_reply{st.status, st.headers, std::move(st.error_body)};
}

using secret_list = std::shared_ptr<const std::vector<std::string>>;

/// An error text cut to a length (a non-JSON body keeps 500 bytes) may end in
/// the first part of a secret; 8 bytes and more of one are replaced too.
inline void scrub_cut_tail(std::string& text, const std::vector<std::string>& secrets) {
  constexpr size_t min_part = 8;
  for (const auto& secret : secrets) {
    for (size_t k = std::min(secret.size() - 1, text.size()); k >= min_part; --k) {
      if (text.compare(text.size() - k, k, secret, 0, k) == 0) {
        text.replace(text.size() - k, k, "****");
        break;
      }
    }
  }
}

/// The one exit of upstream text: a failure's message without any secret.
inline failure clean(failure f, const secret_list& secrets) {
  f.message = scrub(std::move(f.message), *secrets);
  scrub_cut_tail(f.message, *secrets);
  return f;
}

/// `done`, given failures without a secret.
template <class T>
std::function<void(result<T>)> scrubbing(std::function<void(result<T>)> done, secret_list secrets) {
  return [done = std::move(done), secrets = std::move(secrets)](result<T> r) {
    if (r)
      return done(std::move(r));
    done(clean(r.error(), secrets));
  };
}

inline http::request to_http(wire::http_request req, const url& base, const config::timeouts& t) {
  http::request out;
  out.method = std::move(req.method);
  out.base = base;
  out.target = std::move(req.target);
  out.headers = std::move(req.headers);
  out.body = std::move(req.body);
  out.timeouts = t;
  return out;
}

} // namespace et::provider::detail
