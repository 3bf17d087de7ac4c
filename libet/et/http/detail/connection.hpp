#pragma once
/// One TCP connection, plain or TLS, usable as a Beast AsyncStream
/// (implementation header: includes Asio and OpenSSL).

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

namespace et::http::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// A socket, wrapped in a TLS stream for https. Not thread-safe: one session
/// owns it at a time, and the pool hands it over under its mutex.
class connection {
public:
  /// The executor of the socket (completion handlers bind their own strand).
  using executor_type = asio::any_io_executor;

  /// A plain connection when `tls` is null, a TLS one otherwise.
  connection(const executor_type& ex, asio::ssl::context* tls);

  /// Prepares the TLS session for `host`: SNI (for names only) and, when
  /// `verify`, certificate checks against that name or IP address.
  void set_peer(const std::string& host, bool verify);

  /// The executor of the underlying socket.
  executor_type get_executor() { return socket().get_executor(); }
  /// The TCP socket below TLS.
  tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  /// The TLS stream, or null for plain http.
  asio::ssl::stream<tcp::socket>* tls() { return tls_ ? &*tls_ : nullptr; }

  /// Reads some bytes (decrypted for TLS).
  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (tls_)
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    else
      plain_->async_read_some(buffers, std::forward<Handler>(handler));
  }

  /// Writes some bytes (encrypted for TLS).
  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (tls_)
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    else
      plain_->async_write_some(buffers, std::forward<Handler>(handler));
  }

  /// True when an idle connection still looks usable: open, nothing
  /// unexpected to read, no EOF from the server. Never blocks.
  bool looks_reusable();

  /// Closes the socket, cancelling pending operations; idempotent.
  void close() noexcept;

  /// When the connection was last returned to the pool.
  std::chrono::steady_clock::time_point idle_since;

private:
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  std::optional<tcp::socket> plain_;
};

} // namespace et::http::detail
