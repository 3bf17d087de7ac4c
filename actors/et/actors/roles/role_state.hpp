#pragma once
/// Internal to the prompt-only role actors (mayor, witness, refinery): the one state they
/// share and the one way they ask the router. Included by those sources only.

#include <string>
#include <utility>

#include "et/actors/roles/ask.hpp"

namespace et::actors::roles_detail {

/// Whom a role actor asks, as which role, with which system prompt. Not an aggregate: CAF
/// would otherwise try to build it from the self pointer.
struct role_state {
  role_state() = default;
  router_actor router;
  std::string role;             // the role name the router resolves (a custom name works)
  std::string system;           // the role's system prompt, from the settings at spawn
  const char* name = "et.role"; // the actor's name in CAF's logs ("et.mayor", ...)
};

/// Fills `self`'s role state; called first by each role's behaviour.
template <class Self>
void init_role(Self* self, const char* name, router_actor router, std::string role,
               std::string system) {
  auto& st = self->state;
  st.name = name;
  st.router = std::move(router);
  st.role = std::move(role);
  st.system = std::move(system);
}

/// Asks the router for `req` under `self`'s role (its whole chain) and delivers
/// `convert(answer)` to the current requester, as ask() does.
template <class T, class Self, class Convert>
caf::typed_response_promise<T> ask_role(Self* self, chat_request req, Convert convert) {
  auto& st = self->state;
  return ask<T>(self, st.router, make_role_request(st.role, {}, std::move(req)),
                std::move(convert));
}

} // namespace et::actors::roles_detail
