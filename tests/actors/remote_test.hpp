#pragma once
// Shared by the remote suites (remote.test.cpp: alias@node on the deterministic
// scheduler; remote_loopback.test.cpp: over real loopback sockets).

#include <future>
#include <thread>

#include "caf/test/dsl.hpp"

#include "actor_test.hpp"
#include "caf/io/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/actors/ledger.hpp"
#include "et/actors/mock_provider.hpp"
#include "et/actors/node.hpp"
#include "et/actors/provider_factory.hpp"

namespace remote_test {

using namespace et;
using namespace et::actors;
using namespace et::test;
using namespace std::chrono_literals;

inline std::shared_ptr<config::settings> load(const std::string& yaml) {
  return load_settings(yaml, "remote-test.yaml");
}

inline role_request ask(std::string role, std::string text, std::string target = {},
                        uint64_t id = 1) {
  role_request r;
  r.id = id;
  r.role = std::move(role);
  r.target = std::move(target);
  r.request.messages.push_back(message{et::role::user, std::move(text), {}, {}, {}});
  return r;
}

/// What the stand-in for CAF's middleman counts.
struct connector_state {
  /// Connects asked so far.
  int calls = 0;
  static inline const char* name = "test.connector"; ///< for CAF's logs
};

/// A stand-in for CAF's middleman: answers the first `failures` connects with `failure`,
/// then with `node`.
inline caf::behavior flaky_connector(caf::stateful_actor<connector_state>* self, int failures,
                                     caf::sec failure, caf::actor node) {
  using reply = caf::result<caf::node_id, caf::strong_actor_ptr, std::set<std::string>>;
  return {
      [=](caf::connect_atom, const std::string&, uint16_t) -> reply {
        if (++self->state.calls <= failures)
          return caf::make_error(failure);
        return {caf::node_id{}, caf::actor_cast<caf::strong_actor_ptr>(node),
                self->system().message_types<node_actor>()};
      },
  };
}

} // namespace remote_test
