#pragma once
/// The byte stream under one server connection: the TCP socket itself, or TLS
/// over it once its handshake is done. Before that, reads and writes go to the
/// socket as they are, so a client that speaks plain HTTP to a TLS port can
/// still be told so. Included by server .cpp files only.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <optional>
#include <utility>

namespace et::http::detail {

/// A socket, or TLS over it.
class server_stream {
public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type; ///< the connection's strand
  using tls_stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>; ///< TLS over TCP

  /// Plain TCP when `tls` is null, else TLS (after secure()).
  server_stream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls) {
    if (tls)
      tls_.emplace(std::move(socket), *tls);
    else
      plain_.emplace(std::move(socket));
  }

  /// The strand.
  executor_type get_executor() { return socket().get_executor(); }
  /// The TCP socket under everything (options, shutdown, cancel, close).
  boost::asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  /// Whether this connection must speak TLS.
  bool tls() const { return tls_.has_value(); }
  /// The TLS stream, for its handshake.
  tls_stream& tls_layer() { return *tls_; }
  /// From now on reads and writes are TLS records (the handshake succeeded).
  void secure() { secured_ = true; }

  /// Reads some bytes (decrypted once secure()).
  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (secured_)
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    else
      socket().async_read_some(buffers, std::forward<Handler>(handler));
  }

  /// Writes some bytes (encrypted once secure()).
  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (secured_)
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    else
      socket().async_write_some(buffers, std::forward<Handler>(handler));
  }

private:
  std::optional<boost::asio::ip::tcp::socket> plain_;
  std::optional<tls_stream> tls_;
  bool secured_ = false;
};

} // namespace et::http::detail
