#define CAF_SUITE actors.remote
#define FAIL(msg) CAF_FAIL(msg)
#include "remote_test.hpp"

// alias@node through the router on the deterministic scheduler with a fake
// node provider. Over real loopback sockets: remote_loopback.test.cpp.

using namespace remote_test;

namespace {

// Stands in for the remote provider of node "gpu": answers as a node would,
// and fails the way the test names in the prompt.
provider_actor::behavior_type fake_node(provider_actor::pointer,
                                        std::shared_ptr<std::vector<std::string>> seen) {
  auto answer = [seen](const chat_request& req) -> caf::result<chat_response> {
    seen->push_back(req.model);
    auto text = req.messages.back().content;
    if (text == "down")
      return to_caf(make_failure(errc::node_down, "node gpu went away"));
    if (text == "exhausted")
      return to_caf(make_failure(errc::all_failed, "node gpu: every candidate failed"));
    chat_response r;
    r.model = "big-model-v2";
    r.content = "remote " + text;
    r.tokens = usage{30'000, 40'000, 0, 0, 0};
    r.usd = text == "greedy" ? 1e9 : 0.5;
    return r;
  };
  return {
      [=](complete_atom, uint64_t, const chat_request& req) { return answer(req); },
      [=](stream_atom, uint64_t, const chat_request& req) { return answer(req); },
      [=](models_atom) { return std::vector<model_info>{}; },
      [=](embed_atom, uint64_t, const embed_request&) { return embed_response{}; },
      [=](count_atom, uint64_t, const chat_request&) { return chat_response{}; },
      [=](cancel_atom, uint64_t) {},
  };
}

const char* caller_yaml = R"(
providers: {sim: {type: mock, mock: {mode: fixed, text: local answer}}}
models: {local: {provider: sim, model: local-model}}
nodes: {gpu: {address: "127.0.0.1:7700"}}
roles:
  remote: {model: big@gpu, fallbacks: [local]}
retry: {attempts: 1}
)";

struct fixture : test_coordinator_fixture<test_config> {
  std::shared_ptr<config::settings> settings = load(caller_yaml);
  std::shared_ptr<std::vector<std::string>> seen = std::make_shared<std::vector<std::string>>();
  ledger_actor ledger = spawn_ledger(sys, ledger_setup{settings, {}, nullptr, "run", false, {}});
  router_actor router;

  fixture() {
    auto engine = std::make_shared<provider::mock_engine>(settings->providers["sim"].mock);
    auto s = seen;
    router = spawn_router(
        sys, settings,
        [engine, s](caf::local_actor* parent, const config::provider& p) -> provider_actor {
          if (p.name == "@gpu")
            return parent->spawn(fake_node, s);
          return spawn_mock_provider(parent, engine, {});
        },
        ledger, 3);
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  }

  caf::expected<routed_response> complete(role_request req) {
    auto rh = self->request(router, caf::infinite, complete_atom::value, std::move(req));
    sched.run();
    return answer_of(rh);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(router_remote_tests, fixture)

CAF_TEST(an alias at a node goes to that node with the alias and the answer names the node) {
  auto r = complete(ask("remote", "hi"));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->response.content, "remote hi");
  CAF_CHECK_EQUAL(r->alias, "big");
  CAF_CHECK_EQUAL(r->provider, "@gpu");
  CAF_CHECK_EQUAL(r->model, "big-model-v2");
  CAF_REQUIRE_EQUAL(seen->size(), 1u);
  CAF_CHECK_EQUAL(seen->front(), "big"); // the node resolves its own alias
  // The caller's ledger has the node's tokens and the node's price.
  auto rh = self->request(ledger, caf::infinite, summary_atom::value);
  sched.run();
  rh.receive(
      [](cost::cost_report& report) {
        CAF_CHECK_EQUAL(report.requests, 1);
        CAF_CHECK_EQUAL(report.completion_tokens, 40'000);
        CAF_CHECK_EQUAL(report.usd, 0.5);
        CAF_CHECK_EQUAL(report.unpriced_requests, 0);
      },
      [](caf::error& e) { CAF_FAIL("no summary: " << to_string(from_caf(e))); });
}

CAF_TEST(a node that is down falls back to the next candidate) {
  auto r = complete(ask("remote", "down"));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "local");
  CAF_CHECK_EQUAL(r->response.content, "local answer");
  CAF_CHECK_EQUAL(r->attempts, 2);
}

CAF_TEST(a node that tried everything for the alias falls back without retrying it) {
  settings->retry.attempts = 3; // would retry a retryable error twice more
  auto r = complete(ask("remote", "exhausted"));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "local");
  CAF_CHECK_EQUAL(seen->size(), 1u);
}

CAF_TEST(a node claims at most its tokens at the dearest prices known here) {
  // A billion dollars for 70,000 tokens would spend every budget that shares this ledger.
  auto r = complete(ask("remote", "greedy"));
  CAF_REQUIRE(r);
  CAF_REQUIRE(r->response.usd);
  CAF_CHECK_GREATER(*r->response.usd, 0.0);
  CAF_CHECK_LESS(*r->response.usd, 100.0); // 70,000 tokens cost dollars at any list price
}

CAF_TEST(an explicit alias at node target reaches the node) {
  auto r = complete(ask("anything", "direct", "big@gpu"));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->response.content, "remote direct");
}

CAF_TEST_FIXTURE_SCOPE_END()
