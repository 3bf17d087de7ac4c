#include "et/http/detail/errors.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <openssl/x509.h>

#include "et/util/url.hpp"

namespace et::http::detail {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

const char* activity(step s) {
  switch (s) {
    case step::connect:
      return "while connecting";
    case step::first_byte:
      return "before the response began";
    case step::head:
      return "while reading the response headers";
    case step::body:
      return "while reading the body";
  }
  return "";
}

std::string after_bytes(step s, uint64_t body_bytes) {
  if (s != step::body)
    return "";
  return " (after " + std::to_string(body_bytes) + " body bytes)";
}

bool is_http_parse_error(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_version).category();
}

} // namespace

const char* to_string(step s) {
  switch (s) {
    case step::connect:
      return "connect";
    case step::first_byte:
      return "first-byte";
    case step::head:
    case step::body:
      return "idle";
  }
  return "?";
}

failure timed_out(step s, std::chrono::milliseconds limit, const std::string& where) {
  return make_failure(errc::timeout, std::string{to_string(s)} + " timeout ("
                                         + format_duration(limit) + ") expired " + activity(s)
                                         + " with " + where);
}

failure total_timed_out(std::chrono::milliseconds limit, const std::string& where) {
  return make_failure(errc::timeout, "total timeout (" + format_duration(limit)
                                         + ") of the request to " + where + " expired");
}

failure resolve_failed(const std::string& host, const error_code& ec) {
  return make_failure(errc::network, "cannot resolve host " + host + ": " + ec.message());
}

failure connect_failed(const std::string& where, const error_code& ec) {
  return make_failure(errc::network, "cannot connect to " + where + ": " + ec.message());
}

failure handshake_failed(const std::string& where, const error_code& ec, SSL* ssl) {
  std::string why = ec.message();
  long verdict = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verdict != X509_V_OK)
    why = std::string{"certificate verification failed: "} + X509_verify_cert_error_string(verdict);
  return make_failure(errc::network, "TLS handshake with " + where + " failed: " + why);
}

failure io_failed(step s, const std::string& where, const error_code& ec, uint64_t body_bytes,
                  uint64_t max_body) {
  if (ec == http::error::body_limit)
    return make_failure(errc::invalid_input, "response body from " + where
                                                 + " exceeds the limit of "
                                                 + std::to_string(max_body) + " bytes");
  if (ec == http::error::header_limit)
    return make_failure(errc::invalid_input,
                        "response headers from " + where + " exceed the size limit");
  if (ec == http::error::buffer_overflow)
    return make_failure(errc::invalid_input, "a chunk header or the trailers of the response from "
                                                 + where + " exceed the size limit");
  if (ec == http::error::partial_message || ec == asio::ssl::error::stream_truncated)
    return make_failure(errc::network, "connection to " + where
                                           + " closed before the response was complete"
                                           + after_bytes(s, body_bytes) + ": truncated response");
  if (ec == http::error::end_of_stream || ec == asio::error::eof)
    return make_failure(errc::network,
                        "connection to " + where + " closed by the server " + activity(s));
  if (ec == asio::error::connection_reset)
    return make_failure(errc::network, "connection to " + where + " reset " + activity(s)
                                           + after_bytes(s, body_bytes));
  if (is_http_parse_error(ec))
    return make_failure(errc::invalid_input,
                        "malformed HTTP response from " + where + ": " + ec.message());
  return make_failure(errc::network, "I/O error with " + where + " " + activity(s)
                                         + after_bytes(s, body_bytes) + ": " + ec.message());
}

failure cancelled(const std::string& where) {
  return make_failure(errc::cancelled, "request to " + where + " cancelled");
}

failure too_many_interim(const std::string& where, int limit) {
  return make_failure(errc::invalid_input, "malformed HTTP response from " + where + ": more than "
                                               + std::to_string(limit)
                                               + " interim (1xx) responses before the real one");
}

} // namespace et::http::detail
