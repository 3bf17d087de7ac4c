#include "et/actors/roles/witness.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/roles/role_state.hpp"
#include "et/roles/prompts.hpp"

namespace et::actors {

namespace {

using witness_pointer = witness_actor::stateful_pointer<roles_detail::role_state>;

result<roles::verdict> verdict_of(routed_response& answer) {
  return roles::read_verdict(answer.response.content);
}

witness_actor::behavior_type witness(witness_pointer self, router_actor router, std::string role,
                                     std::string system) {
  roles_detail::init_role(self, "et.witness", std::move(router), std::move(role),
                          std::move(system));
  using roles_detail::ask_role;
  return {
      [=](review_atom, const roles::review_request& r) {
        auto req = roles::review_request_for(self->state.system, r);
        return ask_role<roles::verdict>(self, std::move(req), verdict_of);
      },
      [=](validate_atom, const roles::validation_request& r) {
        auto req = roles::validate_request(self->state.system, r);
        return ask_role<std::string>(self, std::move(req), roles_detail::text_of);
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
