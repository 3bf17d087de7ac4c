#include "et/actors/health.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/util/text.hpp"
#include "et/util/url.hpp"

namespace et::actors {

namespace {

using rows = std::vector<routing::provider_health>;

// A round's answer is shared for this long: a caller polling status (or a peer sending it in
// a loop) costs one round of GET /api/tags per Ollama provider per period, not one per status.
constexpr std::chrono::seconds reuse_for{2};

struct probe_state {
  std::vector<caf::typed_response_promise<rows>> waiting; ///< answered by the round in flight
  std::optional<rows> last;                               ///< the last round's answer
  caf::actor_clock::time_point last_at;                   ///< when it came
  static inline const char* name = "et.health";
};

using probe_pointer = health_actor::stateful_pointer<probe_state>;

// Only scheme://host:port: a node tells callers where its Ollama runs, not its paths.
std::string endpoint_of(const std::string& base_url) {
  auto u = parse_url(base_url);
  return u ? u->scheme + "://" + u->authority() : std::string{"(invalid base_url)"};
}

void answer_all(probe_pointer self, rows out) {
  auto& st = self->state;
  st.last = out;
  st.last_at = self->clock().now();
  for (auto& rp : std::exchange(st.waiting, {}))
    rp.deliver(out);
}

// One round of asking every Ollama provider at once; answer_all once the last one answered.
void start_round(probe_pointer self, const std::shared_ptr<const config::settings>& s,
                 const router_actor& router) {
  auto out = std::make_shared<rows>();
  for (const auto& [name, p] : s->providers)
    if (p.type == config::provider_type::ollama)
      out->push_back(routing::provider_health{name, endpoint_of(p.base_url), false, 0, 0, ""});
  if (out->empty())
    return answer_all(self, rows{});
  auto missing = std::make_shared<size_t>(out->size());
  auto started = self->clock().now();
  for (size_t i = 0; i < out->size(); ++i) {
    auto finish = [=](auto fill) {
      auto& row = (*out)[i];
      row.latency_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now() - started)
              .count();
      fill(row);
      if (--*missing == 0)
        answer_all(self, std::move(*out));
    };
    self->request(router, caf::timespan{health_timeout}, models_atom::value, (*out)[i].provider)
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
}

caf::typed_response_promise<rows> check(probe_pointer self,
                                        const std::shared_ptr<const config::settings>& s,
                                        const router_actor& router) {
  auto& st = self->state;
  auto rp = self->make_response_promise<rows>();
  if (st.last && self->clock().now() - st.last_at < reuse_for) {
    rp.deliver(*st.last);
    return rp;
  }
  st.waiting.push_back(rp);
  if (st.waiting.size() == 1) // else a round is in flight: it answers this one too
    start_round(self, s, router);
  return rp;
}

health_actor::behavior_type probe(probe_pointer self, std::shared_ptr<const config::settings> s,
                                  router_actor router) {
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
