#pragma once
/// Turning Asio, Beast and OpenSSL errors into et failures (implementation
/// header). Messages say what failed and where, never a header value.

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/system/error_code.hpp>
#include <openssl/ssl.h>

#include "et/llm/errc.hpp"

namespace et::http::detail {

/// The step a timeout or an I/O error interrupted.
enum class step : uint8_t {
  connect,    ///< resolve, TCP connect, TLS handshake
  first_byte, ///< writing the request and waiting for the answer
  head,       ///< reading the status line and headers
  body,       ///< reading the body
};

/// The name of a step as it appears in messages ("first-byte").
const char* to_string(step s);

/// errc::timeout: "<step> timeout (250ms) ... host:port".
failure timed_out(step s, std::chrono::milliseconds limit, const std::string& where);

/// errc::timeout for the whole-exchange limit.
failure total_timed_out(std::chrono::milliseconds limit, const std::string& where);

/// errc::network: the host name did not resolve.
failure resolve_failed(const std::string& host, const boost::system::error_code& ec);

/// errc::network: no address of the origin accepted the connection.
failure connect_failed(const std::string& where, const boost::system::error_code& ec);

/// errc::network: the TLS handshake failed; names the certificate problem
/// when verification was the cause.
failure handshake_failed(const std::string& where, const boost::system::error_code& ec, SSL* ssl);

/// The failure of a read or write during `s`: network for resets and cut
/// connections, invalid_input for malformed HTTP and exceeded limits.
/// `body_bytes` says how far a body got.
failure io_failed(step s, const std::string& where, const boost::system::error_code& ec,
                  uint64_t body_bytes, uint64_t max_body);

/// errc::cancelled.
failure cancelled(const std::string& where);

/// errc::invalid_input: the server sent more than `limit` interim (1xx)
/// responses, which no real server does; without a bound it could keep the
/// exchange spinning until the total timeout.
failure too_many_interim(const std::string& where, int limit);

} // namespace et::http::detail
