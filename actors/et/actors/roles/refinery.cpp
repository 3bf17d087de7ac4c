#include "et/actors/roles/refinery.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/roles/role_state.hpp"
#include "et/roles/prompts.hpp"

namespace et::actors {

namespace {

using refinery_pointer = refinery_actor::stateful_pointer<roles_detail::role_state>;

refinery_actor::behavior_type refinery(refinery_pointer self, router_actor router, std::string role,
                                       std::string system) {
  roles_detail::init_role(self, "et.refinery", std::move(router), std::move(role),
                          std::move(system));
  return {
      [=](refine_atom, const roles::refine_request& r) {
        auto req = roles::refine_request_for(self->state.system, r);
        return roles_detail::ask_role<std::string>(self, std::move(req), roles_detail::text_of);
      },
  };
}

} // namespace

refinery_actor spawn_refinery(caf::actor_system& sys, router_actor router,
                              const config::settings& settings, std::string role) {
  auto system = roles::system_prompt(settings, role, roles::role_kind::refinery);
  return sys.spawn(refinery, std::move(router), std::move(role), std::move(system));
}

} // namespace et::actors
