#pragma once
/// What a client shares with its sessions (implementation header).

#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "et/http/client.hpp"
#include "et/http/detail/pool.hpp"

namespace et::http::detail {

/// Owned jointly by the client and its sessions in flight, so that a client
/// may be destroyed while its exchanges finish.
struct client_state {
  /// Builds the TLS context from `opts.tls`; a failure is kept in tls_error.
  client_state(boost::asio::io_context& io, client_options opts);

  boost::asio::io_context& io;      ///< the runtime's io_context
  client_options options;           ///< as given, user_agent filled in
  boost::asio::ssl::context tls;    ///< shared by every https connection
  std::optional<failure> tls_error; ///< why `tls` is unusable, if it is
  detail::pool connections;         ///< idle keep-alive connections
};

/// "https://host:port": the key of an origin in the pool.
std::string origin_key(const et::url& u);

/// "host:port" (IPv6 in brackets): where a failure happened.
std::string where(const et::url& u);

} // namespace et::http::detail
