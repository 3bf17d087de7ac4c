// The router's provider slots: how deployments name them, restarting (or
// retiring) a provider actor that exited and resuming its requests, and asking
// one for its models.

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/router_state.hpp"

namespace et::actors {

std::string slot_key(const routing::deployment& where) {
  return where.node.empty() ? where.provider : "@" + where.node;
}

std::string fallback_name(const routing::deployment& where) {
  if (where.alias.empty())
    return where.provider + "/" + where.model;
  return where.node.empty() ? where.alias : where.alias + "@" + where.node;
}

config::provider remote_slot_settings(const config::node& node) {
  config::provider p;
  p.name = "@" + node.name;
  // The router's own bound on an attempt is this total plus a margin; the
  // remote provider enforces the node's timeouts itself.
  p.timeout.connect = node.connect_timeout;
  p.timeout.total = node.connect_timeout + node.request_timeout;
  return p;
}

void on_provider_exit(router_pointer self, const caf::actor_addr& source) {
  auto& st = self->state;
  for (auto& [name, slot] : st.providers) {
    if (slot.hdl.address() != source)
      continue;
    if (slot.budget.try_restart(self->clock().now())) {
      slot.hdl = st.make_provider(self, slot.settings);
      self->link_to(slot.hdl);
      ++slot.restarts;
    } else {
      slot.down = true;
    }
    // Resume the requests that were in flight to the dead instance.
    std::vector<uint64_t> parked;
    st.jobs.for_each([&](uint64_t key, const router_job& j) {
      if (j.parked && j.sent_to == source)
        parked.push_back(key);
    });
    for (auto key : parked) {
      auto* j = st.jobs.find(key);
      if (!j)
        continue;
      j->parked = false;
      if (!slot.down && j->tries_here < st.settings->retry.attempts)
        send_attempt(self, key);
      else
        fall_back(self, key, make_failure(errc::provider_down, "provider restarted or down"));
    }
    // Requests the dead instance had already taken (an HTTP call in flight) never get an
    // answer from it: fail those attempts now rather than when their bound (the total
    // timeout plus 30 s) runs out.
    std::vector<std::pair<uint64_t, uint64_t>> taken;
    st.jobs.for_each([&](uint64_t key, const router_job& j) {
      if (j.attempt_id != 0 && j.sent_to == source)
        taken.emplace_back(key, j.attempt_id);
    });
    for (auto [key, aid] : taken)
      on_attempt_failed(self, key, aid,
                        make_failure(errc::provider_down, "the provider crashed mid-call"));
    return;
  }
}

caf::typed_response_promise<std::vector<model_info>> models_of(router_pointer self,
                                                               const std::string& name) {
  auto rp = self->make_response_promise<std::vector<model_info>>();
  auto i = self->state.providers.find(name);
  if (i == self->state.providers.end()) {
    rp.deliver(to_caf(make_failure(errc::not_found, "no provider \"" + name + "\"")));
    return rp;
  }
  // The provider enforces its own timeouts; this bound only catches one that never answers.
  auto bound = i->second.settings.timeout.total + std::chrono::seconds{5};
  self->request(i->second.hdl, bound, models_atom::value)
      .then([=](std::vector<model_info>& models) mutable { rp.deliver(std::move(models)); },
            [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

} // namespace et::actors
