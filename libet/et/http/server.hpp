#pragma once
/// A small asynchronous HTTP/1.1 server (Boost.Beast, kept in the .cpp) for
/// et's gateway: keep-alive, bounded headers and bodies, a timeout on every
/// read and write (a slow client cannot hold a connection), a bound on open
/// connections, and replies given later from any thread, whole or streamed
/// with chunked transfer encoding, over plain TCP or TLS (1.2 and later). The
/// bodies held at once are bounded too: a request past that bound gets 503.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "et/http/client.hpp"
#include "et/http/server_tls.hpp"
#include "et/util/result.hpp"

namespace et::http {

/// Limits and address of a server.
struct server_options {
  std::string host = "127.0.0.1";                   ///< a loopback address
  uint16_t port = 0;                                ///< 0 = the OS picks one
  std::size_t max_body_bytes = 8u << 20;            ///< larger bodies get 413
  std::size_t max_bodies_bytes = 256u << 20;        ///< of all bodies held at once; past it 503
  std::size_t max_header_bytes = 64u << 10;         ///< larger headers get 431
  std::chrono::milliseconds header_timeout{10'000}; ///< to read a request's headers (and idle)
  std::chrono::milliseconds body_timeout{30'000};   ///< to read its body
  std::chrono::milliseconds write_timeout{30'000};  ///< for each write to reach the client
  /// A stream's bytes waiting for a client that reads slowly; past it the connection closes
  /// (the work behind it stops) rather than hold what it does not read.
  std::size_t max_queued_bytes = 4u << 20;
  std::size_t max_connections = 512;                   ///< more get 503 and are closed
  std::optional<server_tls_files> tls;                 ///< set: HTTPS only (see check_server_tls)
  std::chrono::milliseconds handshake_timeout{10'000}; ///< TLS: from accept to a finished handshake
  int threads = 1;                                     ///< I/O threads of its own
  /// When set, the server runs on this runtime (made with runtime::driven) and starts no
  /// threads: its handlers run where the runtime's owner drives it. Its stop() then waits for
  /// those threads to close the connections, so it must not run on one of them.
  std::shared_ptr<runtime> driven_by;
};

/// One request, read whole.
struct incoming {
  std::string method;  ///< "GET", "POST", ...
  std::string target;  ///< path and query
  header_list headers; ///< as received in the head (a chunked body's trailers are not kept)
  std::string body;    ///< the body ("" for none)
  /// The first header named `name` (case-insensitive), "" when absent.
  std::string_view header(std::string_view name) const;
  /// Whether a header named `name` is present.
  bool has_header(std::string_view name) const;
};

namespace detail {
class server_session;
} // namespace detail

/// How a handler answers one request, from any thread, exactly once: send(),
/// or start() then write()* then end(). Calls after the client went away do
/// nothing; on_close() tells when that happens.
class reply {
public:
  /// For the server only: the reply to request number `request` of session `s`.
  reply(std::weak_ptr<detail::server_session> s, uint64_t request)
      : session_(std::move(s)), request_(request) {}
  /// The whole response; Content-Length is added.
  void send(int status, header_list headers, std::string body);
  /// The status and headers of a streamed response (chunked), and its first piece if any.
  void start(int status, header_list headers, std::string first = {});
  /// A piece of a streamed body (nothing for "").
  void write(std::string piece);
  /// The end of a streamed body, after its last piece if any.
  void end(std::string last = {});
  /// Runs `f` once (on an I/O thread) if the client goes away or a write fails
  /// before the response ended; at once when that already happened. Once the connection
  /// moved on to its next request, this reply's calls do nothing: a late call of an earlier
  /// handler never touches a later request's response or hang-up callback.
  void on_close(std::function<void()> f);

private:
  std::weak_ptr<detail::server_session> session_;
  uint64_t request_ = 0;
};

/// Handles one request; must not block (answer later through the reply).
using request_handler = std::function<void(incoming, std::shared_ptr<reply>)>;

/// Looks at the start line and headers of a request with a body before the body is read
/// (`head.body` is empty; a request without a body goes to the handler at once): true to read
/// the body and hand the request to the handler; false after answering
/// through the reply, before returning (the body is then read only to be dropped, and the
/// connection closes after the answer). Lets a server refuse a client without a key before it
/// holds that client's body. Must not block, and must not keep the reply.
using head_check = std::function<bool(const incoming& head, const std::shared_ptr<reply>&)>;

/// The body of an error the server itself gives (413, 431, 503) for request
/// `target`, so each client gets its own protocol's shape: returns
/// {content type, body}.
using error_renderer = std::function<std::pair<std::string, std::string>(
    const std::string& target, int status, const std::string& message)>;

/// The server. Not copyable; stop() is idempotent.
class server {
public:
  /// A server that will call `handler` for each request (once `admit` let its head in).
  server(server_options options, request_handler handler, error_renderer errors = {},
         head_check admit = {});
  /// Stops it.
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Loads the TLS material (failing as check_server_tls does), binds,
  /// listens and starts the I/O threads; the bound port.
  result<uint16_t> start();
  /// Closes the listener, lets responses under way finish for up to `grace`
  /// (idle connections close at once, busy ones after their response), then
  /// closes what is left and joins the threads.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{0});
  /// Connections open now.
  std::size_t connections() const;
  /// Bytes of request bodies held now (read, and not yet answered).
  std::size_t body_bytes() const;
  /// Accepts that failed for want of descriptors or memory so far (each waits 50 ms before
  /// the next is made, so that running out is no busy loop).
  std::size_t starved_accepts() const;

  struct impl; ///< internal

private:
  std::shared_ptr<impl> impl_;
};

/// The reason phrase of `status` ("OK", "Too Many Requests", "Overloaded" for 529).
std::string reason_phrase(int status);

} // namespace et::http
