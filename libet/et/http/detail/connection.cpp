#include "et/http/detail/connection.hpp"

#include <cerrno>
#include <sys/socket.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace et::http::detail {

connection::connection(const executor_type& ex, asio::ssl::context* tls) {
  if (tls)
    tls_.emplace(ex, *tls);
  else
    plain_.emplace(ex);
}

void connection::set_peer(const std::string& host, bool verify) {
  if (!tls_)
    return;
  SSL* ssl = tls_->native_handle();
  boost::system::error_code not_ip;
  asio::ip::make_address(host, not_ip);
  bool is_ip = !not_ip;
  // RFC 6066 forbids IP literals in SNI; servers behind a shared address
  // (CDNs, provider gateways) need the name to pick their certificate.
  // (SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.)
  if (!is_ip)
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(host.c_str()));
  if (!verify)
    return;
  // OpenSSL's own name check, rather than an Asio verify callback, so that a
  // mismatch is reported by SSL_get_verify_result like every other failure.
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (is_ip)
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  else
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
}

bool connection::looks_reusable() {
  auto& s = socket();
  if (!s.is_open())
    return false;
  // Data left inside TLS, or any byte on an idle connection, is either a
  // close_notify or garbage: neither leaves a connection we can trust.
  if (tls_ && SSL_pending(tls_->native_handle()) > 0)
    return false;
  char byte = 0;
  auto n = ::recv(s.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void connection::close() noexcept {
  boost::system::error_code ignored;
  auto& s = socket();
  s.shutdown(tcp::socket::shutdown_both, ignored);
  s.close(ignored);
}

} // namespace et::http::detail
