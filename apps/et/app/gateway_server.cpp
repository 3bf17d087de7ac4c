// The gateway as a server: starting it (keys, meters, desks, the HTTP server with its head
// check and its handler), draining and stopping it.

#include "et/app/gateway.hpp"

#include "caf/all.hpp"
#include "et/actors/gateway_calls.hpp"
#include "et/app/gateway_door.hpp"
#include "et/app/gateway_keys.hpp"
#include "et/app/gateway_state.hpp"
#include "et/gateway/errors.hpp"
#include "et/gateway/meter.hpp"
#include "et/util/url.hpp"

namespace et::app {

using et::gateway::protocol;

result<std::unique_ptr<http_gateway>> http_gateway::start(gateway_setup setup) {
  auto st = std::make_shared<state>();
  st->secrets = setup.settings->secrets();
  st->places = config::upstream_places(*setup.settings);
  setup.http.max_body_bytes = setup.bounds.max_body_bytes;
  auto keys = key_gate::open(setup.keys_file, setup.settings, setup.log);
  if (!keys)
    return std::move(keys).error();
  st->keys = std::move(*keys);
  st->beyond_loopback = !is_loopback(setup.http.host);
  if (auto n = st->keys->active_keys(); st->beyond_loopback && n && *n == 0)
    return make_failure(errc::invalid_config,
                        "a gateway beyond loopback needs a key and none is active: `et keys "
                        "create NAME` makes one (open mode is for loopback only)");
  st->metrics = std::make_unique<gateway::meter>(*setup.settings);
  st->calls = std::make_unique<actors::gateway_calls>(*setup.system, setup.router,
                                                      setup.system->scheduler().num_workers());
  st->setup = std::move(setup);
  std::unique_ptr<http_gateway> g{new http_gateway};
  g->state_ = st;
  auto errors = [st](const std::string& target, int status, const std::string& message) {
    auto path = path_of(target);
    auto p = anthropic_path(path) ? protocol::anthropic : protocol::openai;
    gateway::client_error e{status, message, "", 0, ""};
    log_refusal(st, path, e);
    // The server's own refusals (413, 431) of a chat request count too; it has no latency.
    if (chat_surface(path))
      st->metrics->request(p, std::string{gateway::no_model}, status, gateway::error_class(e));
    return std::pair<std::string, std::string>{"application/json", gateway::error_body(p, e)};
  };
  g->server_ = std::make_unique<http::server>(
      st->setup.http,
      [st](http::incoming in, std::shared_ptr<http::reply> out) {
        handle(st, std::move(in), std::move(out));
      },
      errors,
      [st](const http::incoming& head, const std::shared_ptr<http::reply>& out) {
        return admit_head(st, head, out);
      });
  st->server = g->server_.get();
  auto port = g->server_->start();
  if (!port)
    return std::move(port).error();
  g->port_ = *port;
  return g;
}

http_gateway::~http_gateway() {
  stop();
}

std::optional<int64_t> http_gateway::active_keys() const {
  return state_->keys->active_keys();
}

int64_t http_gateway::in_flight() const {
  return state_->in_flight.load();
}

void http_gateway::drain() {
  state_->draining = true;
}

void http_gateway::stop(std::chrono::milliseconds grace) {
  if (server_)
    server_->stop(grace);
  // After the server: closing its connections cancelled their calls at the desks.
  state_->calls->stop();
  // An admission answered on the key writer's thread holds the gateway's state: were it the
  // last to let go, the writer's thread would be stopping itself.
  state_->keys->flush();
}

} // namespace et::app
