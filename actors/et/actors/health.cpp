#include "et/actors/health.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/util/text.hpp"
#include "et/util/url.hpp"

namespace et::actors {

namespace {

using rows = std::vector<routing::provider_health>;

// One round of asking: the rows so far and how many answers are missing.
struct round {
  rows out;
  size_t missing = 0;
  caf::typed_response_promise<rows> promise;
};

// Only scheme://host:port: a node tells callers where its Ollama runs, not its paths.
std::string endpoint_of(const std::string& base_url) {
  auto u = parse_url(base_url);
  return u ? u->scheme + "://" + u->authority() : std::string{"(invalid base_url)"};
}

caf::typed_response_promise<rows> check(health_actor::pointer self,
                                        const std::shared_ptr<const config::settings>& s,
                                        const router_actor& router) {
  auto r = std::make_shared<round>();
  r->promise = self->make_response_promise<rows>();
  for (const auto& [name, p] : s->providers)
    if (p.type == config::provider_type::ollama)
      r->out.push_back(routing::provider_health{name, endpoint_of(p.base_url), false, 0, 0, ""});
  r->missing = r->out.size();
  if (r->missing == 0) {
    r->promise.deliver(rows{});
    return r->promise;
  }
  auto started = self->clock().now();
  for (size_t i = 0; i < r->out.size(); ++i) {
    auto finish = [=](auto fill) {
      auto& row = r->out[i];
      row.latency_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now() - started)
              .count();
      fill(row);
      if (--r->missing == 0)
        r->promise.deliver(std::move(r->out));
    };
    self->request(router, caf::timespan{health_timeout}, models_atom::value, r->out[i].provider)
        .then(
            [=](std::vector<model_info>& models) {
              finish([&](routing::provider_health& row) {
                row.ok = true;
                row.models = static_cast<int64_t>(models.size());
              });
            },
            [=](caf::error& e) {
              auto f = from_caf(e);
              // A request that ran out of time names the probe's bound, not CAF's.
              auto why = e == caf::sec::request_timeout
                             ? "no answer within " + std::to_string(health_timeout.count()) + " s"
                             : to_string(f);
              finish([&](routing::provider_health& row) { row.error = scrub(why, s->secrets()); });
            });
  }
  return r->promise;
}

health_actor::behavior_type probe(health_actor::pointer self,
                                  std::shared_ptr<const config::settings> s, router_actor router) {
  return {
      [=](status_atom) { return check(self, s, router); },
  };
}

} // namespace

health_actor spawn_health_probe(caf::actor_system& sys,
                                std::shared_ptr<const config::settings> settings,
                                router_actor router) {
  return sys.spawn(probe, std::move(settings), std::move(router));
}

} // namespace et::actors
