#include "et/actors/roles/mayor.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/roles/role_state.hpp"
#include "et/plan/decompose.hpp"
#include "et/roles/prompts.hpp"

namespace et::actors {

namespace {

using mayor_pointer = mayor_actor::stateful_pointer<roles_detail::role_state>;

mayor_actor::behavior_type mayor(mayor_pointer self, router_actor router, std::string role,
                                 std::string system,
                                 std::vector<roles::specialist_info> specialists) {
  roles_detail::init_role(self, "et.mayor", std::move(router), std::move(role), std::move(system));
  using roles_detail::ask_role;
  return {
      [=](decompose_atom, const std::string& task, uint32_t max_subtasks) {
        auto req = roles::decompose_request(self->state.system, task, max_subtasks, specialists);
        return ask_role<plan::decomposition>(
            self, std::move(req), [max_subtasks](routed_response& answer) {
              return plan::parse_decomposition(answer.response.content, max_subtasks);
            });
      },
      [=](coordinate_atom, const std::string& task, const plan::decomposition& plan) {
        auto req = roles::coordinate_request(self->state.system, task, plan);
        return ask_role<std::string>(self, std::move(req), roles_detail::text_of);
      },
      [=](synthesize_atom, const std::string& task,
          const std::vector<roles::worker_result>& results) {
        auto req = roles::synthesize_request(self->state.system, task, results);
        return ask_role<std::string>(self, std::move(req), roles_detail::text_of);
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
