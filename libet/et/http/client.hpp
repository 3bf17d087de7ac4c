#pragma once
/// An asynchronous HTTP/1.1 client for provider endpoints: http and https,
/// keep-alive reuse per origin, timeouts on every step, cancellation, and a
/// body callback for streamed answers. Callbacks run on the runtime's I/O
/// threads; nothing here blocks. Boost.Beast stays in the .cpp files.
///
/// Deliberate limits:
/// - Redirects are never followed: a 3xx is delivered like any response.
/// - Non-2xx statuses are not failures here: the caller classifies them.
/// - Failure messages name the origin and the failed step, never a header
///   value or the request target (both may carry API keys).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "et/config/settings.hpp"
#include "et/util/result.hpp"
#include "et/util/url.hpp"

namespace et::http {

class runtime;

namespace detail {
class session;
struct client_state;
} // namespace detail

/// Header fields in the order they are sent or were received.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// One request. Host, User-Agent (unless given) and Content-Length are added.
struct request {
  std::string method = "GET"; ///< any token, e.g. "GET", "POST"
  et::url base;               ///< origin: scheme, host, port (its path is not used)
  std::string target = "/";   ///< path and query, starting with '/'
  header_list headers;        ///< extra headers; values may be secrets
  std::string body;           ///< request body ("" for none)
  config::timeouts timeouts;  ///< per-step limits; a zero duration disables that limit
  /// "" = resolve base.host. Else an address literal, the only one connected to (no DNS
  /// lookup): a caller that vetted the address keeps it; TLS name, certificate check and
  /// Host still use base.host. Pooled connections are kept apart per address.
  std::string connect_address;
};

/// The status line and headers of a response.
struct response_head {
  int status = 0;      ///< e.g. 200, 302, 429
  header_list headers; ///< as received, duplicates kept
};

/// Callbacks of one exchange, run on an I/O thread, never concurrently with
/// each other. They must not block or throw.
struct handlers {
  /// Once, when the status and headers are complete.
  std::function<void(const response_head&)> on_head;
  /// For each piece of the body as it arrives, chunked encoding already removed.
  std::function<void(std::string_view)> on_body;
  /// Exactly once, last: success after the whole body, or the failure
  /// (errc::timeout, network, cancelled, invalid_input, invalid_config).
  std::function<void(result<void>)> on_done;
};

/// Options of a client, fixed for its lifetime.
struct client_options {
  std::size_t max_idle_per_origin = 16;      ///< keep-alive connections kept per origin
  std::size_t max_body_bytes = 64u << 20;    ///< larger bodies fail with invalid_input
  std::size_t max_header_bytes = 64u << 10;  ///< larger headers fail with invalid_input
  config::milliseconds max_idle_age{30'000}; ///< idle connections older than this are closed
  config::tls_client tls;                    ///< CA file and verification switch
  std::string user_agent;                    ///< "" = "et/<version>"
};

/// A handle on a request in flight; cheap to copy, never keeps it alive.
class exchange {
public:
  /// A handle on nothing; cancel() does nothing.
  exchange() = default;
  /// Cancels the request from any thread: unless it already completed, on_done
  /// reports errc::cancelled (once) and no other callback follows.
  void cancel() const;

private:
  friend class client;
  explicit exchange(std::weak_ptr<detail::session> s) : session_(std::move(s)) {}
  std::weak_ptr<detail::session> session_;
};

/// Sends requests over pooled keep-alive connections. Thread-safe.
/// Destroying a client does not cancel its exchanges: they complete normally.
class client {
public:
  /// A client on `rt`, which must outlive it. A CA file that cannot be loaded
  /// makes every https request fail with errc::invalid_config.
  client(runtime& rt, client_options options);
  ~client();
  client(client&&) noexcept;
  client& operator=(client&&) noexcept;
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Starts `req`; the handlers are called on I/O threads, on_done always.
  exchange send(request req, handlers h);

  /// Idle keep-alive connections currently pooled for `origin` (for tests and stats).
  std::size_t idle_connections(const et::url& origin) const;

private:
  std::shared_ptr<detail::client_state> state_;
};

} // namespace et::http
