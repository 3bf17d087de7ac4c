#pragma once
/// A scriptable HTTP(S) server on 127.0.0.1 for client tests: each request is
/// answered by a `reply`, a list of raw steps (send bytes, pause, wait for
/// the test, stall, reset, close), so tests can produce normal, chunked,
/// slow, stalled, cut and malformed responses. Runs on its own thread; no
/// Asio in this header.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "self_signed.hpp"

namespace et::test {

/// Header fields as sent or received.
using fields = std::vector<std::pair<std::string, std::string>>;

/// "HTTP/1.1 <status> <reason>\r\n<headers>\r\n" (headers as given, nothing added).
std::string http_head(int status, const fields& headers = {});
/// A complete response with Content-Length.
std::string http_response(int status, std::string_view body, fields headers = {});
/// One chunk of a chunked body.
std::string chunk(std::string_view data);
/// The terminating chunk of a chunked body.
std::string last_chunk();

/// A port on 127.0.0.1 that nothing listens on (bound once, then released).
uint16_t unused_port();

/// A port on 127.0.0.1 that listens but never accepts: the kernel completes
/// TCP handshakes, and then nothing is ever read or written. A TLS client
/// stalls in its handshake; a plain one waits for an answer.
class silent_listener {
public:
  /// Binds and listens.
  silent_listener();
  /// Closes the socket.
  ~silent_listener();
  silent_listener(const silent_listener&) = delete;
  silent_listener& operator=(const silent_listener&) = delete;

  /// The bound port.
  uint16_t port() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// What the server does for one request, step by step.
class reply {
public:
  /// The kind of a step.
  enum class kind { send, pause, wait_gate, stall, reset, close };
  /// One step.
  struct step {
    kind what;                       ///< the action
    std::string bytes;               ///< for send
    std::chrono::milliseconds delay; ///< for pause
  };

  /// 200 with `body` and Content-Length.
  static reply ok(std::string_view body);
  /// 200 with a chunked body made of `parts`.
  static reply chunked(const std::vector<std::string>& parts);

  /// Writes raw bytes.
  reply& send(std::string bytes);
  /// Waits a while.
  reply& pause(std::chrono::milliseconds d);
  /// Waits until the test calls loopback_server::open_gate() (one opening each).
  reply& wait_gate();
  /// Never continues (until the server is destroyed).
  reply& stall();
  /// Aborts the connection with a TCP reset.
  reply& reset();
  /// Closes the connection (FIN) without any further byte.
  reply& close();

  /// The steps in order; after the last, the connection serves the next request.
  const std::vector<step>& steps() const { return steps_; }

private:
  std::vector<step> steps_;
};

/// A request as the server received it.
struct seen_request {
  std::string method;     ///< e.g. "POST"
  std::string target;     ///< e.g. "/v1/chat"
  fields headers;         ///< as received
  std::string body;       ///< complete body
  std::size_t connection; ///< 1-based number of the accepted connection
  std::size_t sequence;   ///< 1-based number of this request on its connection
  std::string sni;        ///< server name the TLS client sent ("" for none or plain)
};

/// Chooses the reply to a request; runs on the server thread.
using script = std::function<reply(const seen_request&)>;

/// The server. Binds 127.0.0.1 on an ephemeral port at construction.
class loopback_server {
public:
  /// A plain HTTP server, or HTTPS with `tls` when given.
  explicit loopback_server(script s, const tls_identity* tls = nullptr);
  /// Stops the thread and drops every connection.
  ~loopback_server();
  loopback_server(const loopback_server&) = delete;
  loopback_server& operator=(const loopback_server&) = delete;

  /// The bound port.
  uint16_t port() const;
  /// "http://127.0.0.1:<port>" (https with TLS).
  std::string url() const;
  /// Connections accepted so far.
  std::size_t accepted() const;
  /// Connections that ended so far (closed by either side).
  std::size_t closed() const;
  /// Every request received so far.
  std::vector<seen_request> requests() const;
  /// Waits until `n` requests arrived; false after `bound`.
  bool wait_requests(std::size_t n,
                     std::chrono::milliseconds bound = std::chrono::seconds{10}) const;
  /// Waits until `n` connections ended; false after `bound`.
  bool wait_closed(std::size_t n, std::chrono::milliseconds bound = std::chrono::seconds{10}) const;
  /// Lets one wait_gate() step continue.
  void open_gate();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace et::test
