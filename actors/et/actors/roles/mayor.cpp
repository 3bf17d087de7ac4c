#include "et/actors/roles/mayor.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/roles/ask.hpp"
#include "et/plan/decompose.hpp"
#include "et/roles/prompts.hpp"

namespace et::actors {

namespace {

// Not an aggregate: CAF would otherwise try to build it from the self pointer.
struct mayor_state {
  mayor_state() = default;
  router_actor router;
  std::string role;
  std::string system;
  std::vector<roles::specialist_info> specialists;
  static inline const char* name = "et.mayor";
};

using mayor_pointer = mayor_actor::stateful_pointer<mayor_state>;

mayor_actor::behavior_type mayor(mayor_pointer self, router_actor router, std::string role,
                                 std::string system,
                                 std::vector<roles::specialist_info> specialists) {
  auto& st = self->state;
  st.router = std::move(router);
  st.role = std::move(role);
  st.system = std::move(system);
  st.specialists = std::move(specialists);
  using roles_detail::ask;
  using roles_detail::make_role_request;
  return {
      [=](decompose_atom, const std::string& task, uint32_t max_subtasks) {
        auto& s = self->state;
        auto req = roles::decompose_request(s.system, task, max_subtasks, s.specialists);
        return ask<plan::decomposition>(self, s.router, make_role_request(s.role, {}, req),
                                        [max_subtasks](routed_response& answer) {
                                          return plan::parse_decomposition(answer.response.content,
                                                                           max_subtasks);
                                        });
      },
      [=](coordinate_atom, const std::string& task, const plan::decomposition& plan) {
        auto& s = self->state;
        auto req = roles::coordinate_request(s.system, task, plan);
        return ask<std::string>(self, s.router, make_role_request(s.role, {}, req),
                                roles_detail::text_of);
      },
      [=](synthesize_atom, const std::string& task,
          const std::vector<roles::worker_result>& results) {
        auto& s = self->state;
        auto req = roles::synthesize_request(s.system, task, results);
        return ask<std::string>(self, s.router, make_role_request(s.role, {}, req),
                                roles_detail::text_of);
      },
  };
}

} // namespace

mayor_actor spawn_mayor(caf::actor_system& sys, router_actor router,
                        const config::settings& settings, std::string role) {
  auto system = roles::system_prompt(settings, role, roles::role_kind::mayor);
  return sys.spawn(mayor, std::move(router), std::move(role), std::move(system),
                   roles::specialists_of(settings));
}

} // namespace et::actors
