#include "et/http/client.hpp"

#include <utility>

#include <openssl/ssl.h>

#include "et/http/detail/client_state.hpp"
#include "et/http/detail/runtime_state.hpp"
#include "et/http/detail/session.hpp"
#include "et/http/runtime.hpp"
#include "et/util/version.hpp"

namespace et::http {

namespace detail {

namespace {

namespace ssl = boost::asio::ssl;

// Fills `ctx` from the options; a CA file that does not load is reported
// instead of silently falling back to the system store.
std::optional<failure> configure_tls(ssl::context& ctx, const config::tls_client& opts) {
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx.set_default_verify_paths(ec);
  if (!opts.ca_file.empty()) {
    ctx.load_verify_file(opts.ca_file, ec);
    if (ec)
      return make_failure(errc::invalid_config,
                          "cannot load the CA file " + opts.ca_file + ": " + ec.message());
  }
  ctx.set_verify_mode(opts.verify ? ssl::verify_peer : ssl::verify_none);
  return std::nullopt;
}

client_options with_defaults(client_options opts) {
  if (opts.user_agent.empty())
    opts.user_agent = "et/" + std::string{version_describe()};
  return opts;
}

} // namespace

client_state::client_state(boost::asio::io_context& io_context, client_options opts)
    : io(io_context), options(with_defaults(std::move(opts))), tls(ssl::context::tls_client),
      tls_error(configure_tls(tls, options.tls)),
      connections(options.max_idle_per_origin, options.max_idle_age) {}

std::string where(const et::url& u) {
  return host_and_port(u.host, u.port);
}

std::string origin_key(const et::url& u) {
  return u.scheme + "://" + where(u);
}

} // namespace detail

void exchange::cancel() const {
  if (auto s = session_.lock())
    s->cancel();
}

client::client(runtime& rt, client_options options)
    : state_(std::make_shared<detail::client_state>(rt.state().io, std::move(options))) {}

client::~client() = default;
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;

exchange client::send(request req, handlers h) {
  auto s = std::make_shared<detail::session>(state_, std::move(req), std::move(h));
  s->start();
  return exchange{s};
}

std::size_t client::idle_connections(const et::url& origin) const {
  return state_->connections.idle(detail::origin_key(origin));
}

} // namespace et::http
