#pragma once
// The router suites' fixture (router.test.cpp, router_lifecycle.test.cpp): a
// fragile provider that crashes, hangs or cuts streams on cue, behind a router
// on CAF's deterministic coordinator.

#include <cmath>

#include "caf/test/dsl.hpp"

#include "actor_test.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/actors/ledger.hpp"
#include "et/actors/mock_provider.hpp"
#include "et/actors/router_state.hpp"

namespace router_test {

using namespace et;
using namespace et::actors;
using namespace et::test;
using namespace std::chrono_literals;

// A provider that crashes on "boom" (while `crashes` lasts), streams thinking and fails on
// "think" (a server error) and "thinkcut" (a stream cut), ends a stream unfinished before any
// piece on "empty", takes "hang"
// without ever answering it (likewise), streams two pieces and then fails on
// "cut" or never answers on "hold", sends a piece to a call that is no stream
// and fails it on "stray" (while `crashes` lasts), refuses a request without a
// conversation, and otherwise echoes.
struct fragile_state {
  std::shared_ptr<int> crashes;
  std::shared_ptr<std::vector<uint64_t>> cancels; ///< attempt ids it was told to cancel
  std::vector<caf::typed_response_promise<chat_response>> hung; ///< taken, never answered
  static inline const char* name = "fragile";
};

inline provider_actor::behavior_type fragile(provider_actor::stateful_pointer<fragile_state> self,
                                             std::shared_ptr<int> crashes,
                                             std::shared_ptr<std::vector<uint64_t>> cancels) {
  self->state.crashes = std::move(crashes);
  self->state.cancels = std::move(cancels);
  auto answer = [=](uint64_t id, const chat_request& req,
                    bool streaming) -> caf::result<chat_response> {
    if (req.messages.empty()) // the router sent what it had let go of
      return to_caf(make_failure(errc::invalid_input, "no conversation"));
    auto text = req.messages.back().content;
    if (text == "stray" && !streaming && *self->state.crashes > 0) {
      --*self->state.crashes;
      auto sink = caf::actor_cast<chunk_sink>(self->current_sender());
      self->send(sink, chunk_atom::value, stream_chunk{id, 0, chunk{"stray", ""}});
      return to_caf(make_failure(errc::server_error, "after a stray piece"));
    }
    if (text == "boom" && *self->state.crashes > 0) {
      --*self->state.crashes;
      throw std::runtime_error("provider bug");
    }
    if (text == "hang" && *self->state.crashes > 0) {
      --*self->state.crashes;
      self->state.hung.push_back(self->make_response_promise<chat_response>());
      return caf::delegated<chat_response>{};
    }
    if (streaming && text == "empty") // a 200 stream that ends without its last event
      return to_caf(make_failure(errc::stream_interrupted, "the stream ended unfinished"));
    if (streaming && (text == "think" || text == "thinkcut")) { // thinks, signs, then fails
      auto sink = caf::actor_cast<chunk_sink>(self->current_sender());
      self->send(sink, chunk_atom::value, stream_chunk{id, 0, chunk{"", "let me see", "", ""}});
      self->send(sink, chunk_atom::value, stream_chunk{id, 1, chunk{"", "", "sig", ""}});
      // "thinkcut": as an HTTP provider tells a connection lost after pieces it handed on.
      if (text == "thinkcut")
        return to_caf(make_failure(errc::stream_interrupted, "after 2 pieces: connection reset"));
      return to_caf(make_failure(errc::server_error, "connection reset"));
    }
    if (streaming) {
      auto sink = caf::actor_cast<chunk_sink>(self->current_sender());
      self->send(sink, chunk_atom::value, stream_chunk{id, 0, chunk{"part one ", ""}});
      self->send(sink, chunk_atom::value, stream_chunk{id, 1, chunk{"part two", ""}});
      if (text == "cut")
        return to_caf(make_failure(errc::server_error, "connection reset"));
      if (text == "hold") {
        self->state.hung.push_back(self->make_response_promise<chat_response>());
        return caf::delegated<chat_response>{};
      }
    }
    chat_response r;
    r.model = req.model;
    r.content = streaming ? "part one part two" : "echo " + text;
    return r;
  };
  return {
      [=](complete_atom, uint64_t id, const chat_request& req) { return answer(id, req, false); },
      [=](stream_atom, uint64_t id, const chat_request& req) { return answer(id, req, true); },
      [=](models_atom) { return std::vector<model_info>{}; },
      [=](embed_atom, uint64_t, const embed_request&) { return embed_response{}; },
      [=](count_atom, uint64_t, const chat_request& req) {
        chat_response r;
        r.model = req.model;
        r.tokens.prompt_tokens = static_cast<int64_t>(req.messages.size());
        return r;
      },
      [=](cancel_atom, uint64_t id) { self->state.cancels->push_back(id); },
  };
}

inline const char* yaml = R"(
providers:
  primary:
    type: mock
    mock: {mode: fixed, text: "from primary"}
  backup:
    type: mock
    mock: {mode: fixed, text: "from backup"}
  fragile: {type: mock}
models:
  main: {provider: primary, model: main-model}
  spare: {provider: backup, model: spare-model}
  weak: {provider: fragile, model: weak-model}
  weak2: {provider: fragile, model: weak2-model}
roles:
  polecat: {model: main, fallbacks: [spare]}
  crew: {model: weak, fallbacks: [spare]}
  gang: {pool: [weak, {model: weak2, max_concurrency: 2}], fallbacks: [spare]}
  crowd: {pool: [main, spare], fallbacks: [weak]}
retry: {attempts: 3, initial_backoff: 1s, max_backoff: 8s, max_wait: 60s, jitter: 0}
cooldown: {failures: 100, window: 60s, period: 30s}
supervision: {max_restarts: 2, window: 10s}
)";

struct fixture : test_coordinator_fixture<test_config> {
  std::map<std::string, std::shared_ptr<provider::mock_engine>> engines;
  std::shared_ptr<int> crashes = std::make_shared<int>(0);
  std::shared_ptr<std::vector<uint64_t>> cancels = std::make_shared<std::vector<uint64_t>>();
  std::shared_ptr<config::settings> settings;
  router_actor router;
  bool with_ledger = false; ///< set before start(): the router records into `ledger`
  ledger_actor ledger;

  // Builds the router over `yaml` after letting a test adjust the settings.
  void start(const std::function<void(config::settings&)>& adjust = {}) {
    settings = load_settings(yaml, "router-test.yaml");
    if (adjust)
      adjust(*settings);
    for (auto& [name, list] : faults)
      for (auto& f : list)
        settings->providers[name].mock.faults.push_back(f);
    for (const auto& [name, p] : settings->providers)
      engines[name] = std::make_shared<provider::mock_engine>(p.mock);
    if (with_ledger)
      ledger = spawn_ledger(sys, ledger_setup{settings, {}, nullptr, "run", false, {}});
    auto crash_count = crashes;
    auto cancelled = cancels;
    auto& engine_map = engines;
    router = spawn_router(
        sys, settings,
        [&engine_map, crash_count, cancelled](caf::local_actor* parent,
                                              const config::provider& p) -> provider_actor {
          if (p.name == "fragile")
            return parent->spawn(fragile, crash_count, cancelled);
          return spawn_mock_provider(parent, engine_map[p.name], {});
        },
        ledger, 7);
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    if (ledger)
      caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  }

  router_state& state() {
    return deref<caf::stateful_actor<router_state, router_impl::base>>(router).state;
  }

  // The one job in flight (fails the test when there is not exactly one).
  router_job& only_job() {
    CAF_REQUIRE_EQUAL(state().jobs.size(), 1u);
    router_job* out = nullptr;
    state().jobs.for_each([&](uint64_t, router_job& j) { out = &j; });
    return *out;
  }

  // How many jobs in flight are at each alias now.
  std::map<std::string, int> jobs_at() {
    std::map<std::string, int> out;
    state().jobs.for_each([&](uint64_t, router_job& j) { ++out[j.chain.at(j.index).where.alias]; });
    return out;
  }

  // Faults injected into a provider's mock; set before start().
  std::map<std::string, std::vector<config::mock_fault>> faults;

  // Asks the router for `req` and lets the clock run past `backoffs` retry waits (10 s each).
  caf::expected<routed_response> answer_after_backoffs(role_request req, int backoffs = 3) {
    auto rh = self->request(router, caf::infinite, complete_atom::value, std::move(req));
    sched.run();
    for (int i = 0; i < backoffs; ++i) {
      advance_time(10s);
      sched.run();
    }
    return answer_of(rh);
  }

  static role_request ask(std::string role, std::string text, uint64_t id = 1) {
    role_request r;
    r.id = id;
    r.role = std::move(role);
    r.request.messages.push_back(message{et::role::user, std::move(text), {}, {}, {}});
    return r;
  }
};

config::mock_fault fault(errc code, std::vector<int64_t> calls,
                         std::chrono::milliseconds after = 0ms) {
  return config::mock_fault{code, std::move(calls), 0, after, "injected"};
}

} // namespace router_test
