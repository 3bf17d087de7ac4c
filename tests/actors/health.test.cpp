#define CAF_SUITE actors.health
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actor_test.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/actors/health.hpp"

// The health probe on the deterministic scheduler: status asked over and over (a poller, a
// peer in a loop) costs one round of model lists per provider, not one per status.

using namespace et;
using namespace et::actors;
using namespace et::test;
using namespace std::chrono_literals;

namespace {

const char* yaml = R"(
providers:
  ol: {type: ollama, base_url: "http://127.0.0.1:1"}
  sim: {type: mock, mock: {mode: echo}}
models:
  coder: {provider: sim, model: sim-model}
)";

// A router that only lists models: two for any provider, counting the asks.
router_actor::behavior_type counting_router(router_actor::pointer, std::shared_ptr<int> asked) {
  auto none = [](auto&&...) -> caf::error { return caf::sec::unexpected_message; };
  return {
      [=](complete_atom, role_request& r) -> caf::result<routed_response> { return none(r); },
      [=](stream_atom, role_request& r) -> caf::result<routed_response> { return none(r); },
      [](chunk_atom, stream_chunk&) {},
      [](cancel_atom, uint64_t) {},
      [=](models_atom, std::string&) -> caf::result<std::vector<model_info>> {
        ++*asked;
        return std::vector<model_info>(2);
      },
      [=](embed_atom, role_embed_request& r) -> caf::result<routed_embedding> { return none(r); },
      [=](count_atom, role_request& r) -> caf::result<routed_response> { return none(r); },
  };
}

struct fixture : test_coordinator_fixture<test_config> {
  std::shared_ptr<int> asked = std::make_shared<int>(0);
  router_actor router = sys.spawn(counting_router, asked);
  health_actor probe = spawn_health_probe(sys, load_settings(yaml, "health.yaml"), router);

  ~fixture() {
    caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  }

  auto ask() { return self->request(probe, caf::infinite, status_atom::value); }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(health_tests, fixture)

CAF_TEST(status asked many times at once is one round of asking) {
  auto a = ask();
  auto b = ask();
  auto c = ask();
  sched.run();
  CAF_CHECK_EQUAL(*asked, 1); // one Ollama provider, one round
  for (auto* rh : {&a, &b, &c}) {
    auto rows = answer_of<std::vector<routing::provider_health>>(*rh);
    CAF_REQUIRE(rows);
    CAF_REQUIRE_EQUAL(rows->size(), 1u);
    CAF_CHECK((*rows)[0].ok);
    CAF_CHECK_EQUAL((*rows)[0].models, 2);
  }
}

CAF_TEST(a fresh answer is shared and an old one asked again) {
  auto first = ask();
  sched.run();
  CAF_REQUIRE(answer_of<std::vector<routing::provider_health>>(first));
  auto again = ask();
  sched.run();
  CAF_CHECK(answer_of<std::vector<routing::provider_health>>(again));
  CAF_CHECK_EQUAL(*asked, 1);
  advance_time(3s);
  sched.run();
  auto later = ask();
  sched.run();
  CAF_CHECK(answer_of<std::vector<routing::provider_health>>(later));
  CAF_CHECK_EQUAL(*asked, 2);
}

CAF_TEST_FIXTURE_SCOPE_END()
