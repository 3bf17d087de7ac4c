#include "et/actors/roles/refinery.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/roles/ask.hpp"
#include "et/roles/prompts.hpp"

namespace et::actors {

namespace {

// Not an aggregate: CAF would otherwise try to build it from the self pointer.
struct refinery_state {
  refinery_state() = default;
  router_actor router;
  std::string role;
  std::string system;
  static inline const char* name = "et.refinery";
};

using refinery_pointer = refinery_actor::stateful_pointer<refinery_state>;

refinery_actor::behavior_type refinery(refinery_pointer self, router_actor router, std::string role,
                                       std::string system) {
  auto& st = self->state;
  st.router = std::move(router);
  st.role = std::move(role);
  st.system = std::move(system);
  using roles_detail::ask;
  using roles_detail::make_role_request;
  return {
      [=](refine_atom, const roles::refine_request& r) {
        auto& s = self->state;
        auto req = make_role_request(s.role, {}, roles::refine_request_for(s.system, r));
        return ask<std::string>(self, s.router, std::move(req), roles_detail::text_of);
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
