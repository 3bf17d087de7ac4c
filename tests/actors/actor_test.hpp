#pragma once
/// Helpers the actor suites share: an actor system config with et's message
/// types, settings parsed from a suite's own YAML, and taking the reply of a
/// request on the deterministic scheduler. Include after caf/test/dsl.hpp.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "caf/all.hpp"
#include "caf/test/unit_test.hpp"

#include "et/actors/detail/message_types.hpp"
#include "et/config/loader.hpp"
#include "et/llm/routed.hpp"

namespace et::test {

/// The actor system config of every actor suite: et's message types announced.
struct test_config : caf::actor_system_config {
  test_config() { et::actors::add_message_types(*this); }
};

/// Settings parsed from `yaml` with an empty environment; `file` names it in
/// diagnostics, which fail the test.
inline std::shared_ptr<config::settings> load_settings(std::string_view yaml,
                                                       const std::string& file) {
  auto loaded = config::check_string(yaml, file, [](const std::string&) { return std::nullopt; });
  if (!loaded.ok())
    CAF_FAIL(config::to_string(loaded.diagnostics));
  return std::make_shared<config::settings>(loaded.value);
}

/// The reply to `rh` (a T or an error), which must already be in self's
/// mailbox: call sched.run() first.
template <class T = routed_response, class Handle>
caf::expected<T> answer_of(Handle& rh) {
  caf::expected<T> out{caf::sec::none};
  rh.receive([&](T& r) { out = std::move(r); }, [&](caf::error& e) { out = std::move(e); });
  return out;
}

} // namespace et::test
