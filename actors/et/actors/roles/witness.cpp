#include "et/actors/roles/witness.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/roles/ask.hpp"
#include "et/roles/prompts.hpp"

namespace et::actors {

namespace {

// Not an aggregate: CAF would otherwise try to build it from the self pointer.
struct witness_state {
  witness_state() = default;
  router_actor router;
  std::string role;
  std::string system;
  static inline const char* name = "et.witness";
};

using witness_pointer = witness_actor::stateful_pointer<witness_state>;

result<roles::verdict> verdict_of(routed_response& answer) {
  return roles::read_verdict(answer.response.content);
}

witness_actor::behavior_type witness(witness_pointer self, router_actor router, std::string role,
                                     std::string system) {
  auto& st = self->state;
  st.router = std::move(router);
  st.role = std::move(role);
  st.system = std::move(system);
  using roles_detail::ask;
  using roles_detail::make_role_request;
  return {
      [=](review_atom, const roles::review_request& r) {
        auto& s = self->state;
        auto req = make_role_request(s.role, {}, roles::review_request_for(s.system, r));
        return ask<roles::verdict>(self, s.router, std::move(req), verdict_of);
      },
      [=](validate_atom, const roles::validation_request& r) {
        auto& s = self->state;
        auto req = make_role_request(s.role, {}, roles::validate_request(s.system, r));
        return ask<std::string>(self, s.router, std::move(req), roles_detail::text_of);
      },
  };
}

} // namespace

witness_actor spawn_witness(caf::actor_system& sys, router_actor router,
                            const config::settings& settings, std::string role) {
  auto system = roles::system_prompt(settings, role, roles::role_kind::witness);
  return sys.spawn(witness, std::move(router), std::move(role), std::move(system));
}

} // namespace et::actors
