#include "et/actors/roles/polecat.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/roles/ask.hpp"
#include "et/roles/prompts.hpp"
#include "et/util/quote.hpp"

namespace et::actors {

namespace {

using polecat_pointer = polecat_actor::stateful_pointer<polecat_state>;
using roles_detail::make_role_request;

caf::typed_response_promise<routed_response> stream(polecat_pointer self, roles::work_order order,
                                                    chunk_sink sink) {
  auto& st = self->state;
  auto req = make_role_request(st.role, st.target, roles::execute_request(st.system, order));
  auto id = req.id;
  st.streams.add(id, polecat_stream{std::move(sink)});
  auto rp = self->make_response_promise<routed_response>();
  // Pieces arrive (from the router) before the reply, so the stream is
  // forgotten only once the reply is in.
  self->request(st.router, caf::infinite, stream_atom::value, std::move(req))
      .then(
          [=](routed_response& answer) mutable {
            self->state.streams.take(id);
            answer.response.content = without_echoed_marks(std::move(answer.response.content));
            rp.deliver(std::move(answer));
          },
          [=](caf::error& err) mutable {
            self->state.streams.take(id);
            rp.deliver(std::move(err));
          });
  return rp;
}

polecat_actor::behavior_type polecat(polecat_pointer self, router_actor router, std::string role,
                                     std::string target, std::string system) {
  auto& st = self->state;
  st.router = std::move(router);
  st.role = std::move(role);
  st.target = std::move(target);
  st.system = std::move(system);
  return {
      [=](execute_atom, const roles::work_order& order) {
        auto& s = self->state;
        auto req = make_role_request(s.role, s.target, roles::execute_request(s.system, order));
        return roles_detail::ask<routed_response>(
            self, s.router, std::move(req), [](routed_response& answer) -> result<routed_response> {
              // A re-asked worker may echo the marks around its quoted previous answer.
              answer.response.content = without_echoed_marks(std::move(answer.response.content));
              return std::move(answer);
            });
      },
      [=](stream_atom, roles::work_order& order, chunk_sink& sink) {
        return stream(self, std::move(order), std::move(sink));
      },
      [=](chunk_atom, const stream_chunk& piece) {
        if (auto* s = self->state.streams.find(piece.id))
          self->send(s->sink, chunk_atom::value, piece);
      },
  };
}

} // namespace

polecat_actor spawn_polecat(caf::actor_system& sys, router_actor router,
                            const config::settings& settings, std::string target, std::string role,
                            std::string system) {
  if (system.empty())
    system = roles::system_prompt(settings, role, roles::role_kind::polecat);
  return sys.spawn(polecat, std::move(router), std::move(role), std::move(target),
                   std::move(system));
}

} // namespace et::actors
