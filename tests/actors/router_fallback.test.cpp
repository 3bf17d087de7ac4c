#define CAF_SUITE actors.router_fallback
#include "caf/test/dsl.hpp"

#include "actor_test.hpp"
#include "et/actors/detail/error_cause.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/fallback_log.hpp"
#include "et/actors/router.hpp"

// Which fallbacks the router took, and why, reach both the requester (in the
// answer) and the observer (a fallback log), with the reason typed.

using namespace et;
using namespace et::actors;
using namespace et::test;
using namespace std::chrono_literals;

namespace {

// A provider that fails every call with `fails` (when set) and otherwise
// answers with its model id.
provider_actor::behavior_type scripted(provider_actor::pointer self, std::optional<failure> fails) {
  auto answer = [=](uint64_t id, const chat_request& req,
                    bool streaming) -> caf::result<chat_response> {
    if (fails)
      return to_caf(*fails);
    if (streaming) {
      auto sink = caf::actor_cast<chunk_sink>(self->current_sender());
      self->send(sink, chunk_atom::value, stream_chunk{id, 0, chunk{"streamed", ""}});
    }
    chat_response r;
    r.model = req.model;
    r.content = "from " + req.model;
    return r;
  };
  return {
      [=](complete_atom, uint64_t id, const chat_request& req) { return answer(id, req, false); },
      [=](stream_atom, uint64_t id, const chat_request& req) { return answer(id, req, true); },
      [=](models_atom) { return std::vector<model_info>{}; },
      [=](embed_atom, uint64_t, const embed_request& req) -> caf::result<embed_response> {
        if (fails)
          return to_caf(*fails);
        return embed_response{req.model, {std::vector<float>(2, 1.0f)}, {}, {}};
      },
      [=](count_atom, uint64_t, const chat_request& req) -> caf::result<chat_response> {
        if (fails)
          return to_caf(*fails);
        chat_response r;
        r.model = req.model;
        r.tokens.prompt_tokens = static_cast<int64_t>(req.model.size());
        return r;
      },
      [=](cancel_atom, uint64_t) {},
  };
}

const char* yaml = R"(
providers:
  anthropic: {type: mock}
  openai: {type: mock}
  local: {type: mock}
models:
  claude-sonnet: {provider: anthropic, model: sonnet-x}
  gpt4o: {provider: openai, model: gpt-4o}
  llama: {provider: local, model: llama-3}
roles:
  mayor: {model: claude-sonnet, fallbacks: [gpt4o, llama]}
retry: {attempts: 2, initial_backoff: 1s, max_backoff: 8s, max_wait: 60s, jitter: 0}
cooldown: {failures: 1, window: 60s, period: 30s}
)";

// What a ledger was told: records and budget questions.
struct ledger_tally {
  int records = 0;
  int budget_asks = 0;
};

ledger_actor::behavior_type counting_ledger(ledger_actor::pointer,
                                            std::shared_ptr<ledger_tally> told) {
  return {
      [=](record_atom, cost::call_record&) { ++told->records; },
      [=](record_atom, uint64_t, cost::call_record&) { ++told->records; },
      [=](budget_atom, const cost::budget_query&) {
        ++told->budget_asks;
        return uint64_t{0};
      },
      [](cancel_atom, uint64_t) {},
      [](summary_atom) { return cost::cost_report{}; },
  };
}

struct fixture : test_coordinator_fixture<test_config> {
  std::map<std::string, std::optional<failure>> fails;
  router_actor router;
  fallback_log_actor log;
  std::shared_ptr<ledger_tally> told; ///< set before start(): a ledger, and a budget to ask it
  ledger_actor ledger;

  void start() {
    auto settings = load_settings(yaml, "router-fallback-test.yaml");
    if (told) {
      ledger = sys.spawn(counting_ledger, told);
      settings->budgets.per_run = 100.0;
    }
    log = spawn_fallback_log(sys);
    auto script = fails;
    router_setup setup{
        settings,
        [script](caf::local_actor* parent, const config::provider& p) -> provider_actor {
          auto i = script.find(p.name);
          return parent->spawn(scripted, i == script.end() ? std::nullopt : i->second);
        },
        ledger,
        cost::price_book{},
        7,
        log};
    router = spawn_router(sys, std::move(setup));
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
    if (ledger)
      caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  }

  // Counts the tokens of a request for the mayor: the answer, or the failure.
  result<routed_response> count(uint64_t id = 1) {
    auto rh = self->request(router, caf::infinite, count_atom::value, ask("plan it", id));
    sched.run();
    auto r = answer_of(rh);
    if (!r)
      return from_caf(r.error());
    return std::move(*r);
  }

  static role_request ask(std::string text, uint64_t id = 1) {
    role_request r;
    r.id = id;
    r.role = "mayor";
    r.request.messages.push_back(message{et::role::user, std::move(text), {}, {}, {}});
    return r;
  }

  routed_response complete(uint64_t id = 1) {
    auto rh = self->request(router, caf::infinite, complete_atom::value, ask("plan it", id));
    sched.run();
    auto r = answer_of(rh);
    if (!r)
      CAF_FAIL("no answer: " << to_string(from_caf(r.error())));
    return std::move(*r);
  }

  std::vector<fallback_report> drained() {
    auto rh = self->request(log, caf::infinite, drain_atom::value);
    sched.run();
    auto r = answer_of<std::vector<fallback_report>>(rh);
    CAF_REQUIRE(r);
    return std::move(*r);
  }
};

failure refused() {
  return failure{errc::auth, "invalid x-api-key", 0ms, 401};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(router_fallback_tests, fixture)

CAF_TEST(a refused key on the primary is answered by the fallback and says so) {
  fails["anthropic"] = refused();
  start();
  auto r = complete();
  CAF_CHECK_EQUAL(r.alias, "gpt4o");
  CAF_REQUIRE_EQUAL(r.fallbacks.size(), 1u);
  const auto& f = r.fallbacks[0];
  CAF_CHECK_EQUAL(f.from, "claude-sonnet");
  CAF_CHECK_EQUAL(f.to, "gpt4o");
  CAF_CHECK_EQUAL(f.reason, errc::auth);
  CAF_CHECK_EQUAL(f.http_status, 401);
  CAF_CHECK(!f.skipped);
  CAF_CHECK_EQUAL(f.message, "invalid x-api-key");
  CAF_CHECK_EQUAL(describe(f, true), "claude-sonnet: 401 authentication failed; answered by gpt4o");
  // The observer hears of it too, whoever asked.
  auto reports = drained();
  CAF_REQUIRE_EQUAL(reports.size(), 1u);
  CAF_CHECK_EQUAL(reports[0].role, "mayor");
  CAF_CHECK_EQUAL(reports[0].fallbacks, r.fallbacks);
  CAF_CHECK(drained().empty()); // drained once
}

CAF_TEST(each step of a longer chain names the next candidate and its own reason) {
  fails["anthropic"] = refused();
  fails["openai"] = failure{errc::context_overflow, "too long", 0ms, 400};
  start();
  auto r = complete();
  CAF_CHECK_EQUAL(r.alias, "llama");
  CAF_REQUIRE_EQUAL(r.fallbacks.size(), 2u);
  CAF_CHECK_EQUAL(r.fallbacks[0].to, "gpt4o");
  CAF_CHECK_EQUAL(r.fallbacks[1].from, "gpt4o");
  CAF_CHECK_EQUAL(r.fallbacks[1].to, "llama");
  CAF_CHECK_EQUAL(r.fallbacks[1].reason, errc::context_overflow);
}

CAF_TEST(an answer from the primary took no fallbacks) {
  start();
  auto r = complete();
  CAF_CHECK_EQUAL(r.alias, "claude-sonnet");
  CAF_CHECK(r.fallbacks.empty());
  CAF_CHECK(drained().empty());
}

CAF_TEST(a deployment skipped while it cools down gives the failure that put it there) {
  fails["anthropic"] = refused();
  start();
  complete(1);
  auto r = complete(2);
  CAF_CHECK_EQUAL(r.attempts, 1); // the primary was not tried again
  CAF_REQUIRE_EQUAL(r.fallbacks.size(), 1u);
  CAF_CHECK(r.fallbacks[0].skipped);
  CAF_CHECK_EQUAL(r.fallbacks[0].reason, errc::auth);
  CAF_CHECK_EQUAL(describe(r.fallbacks[0], true),
                  "claude-sonnet: skipped (cooling down after 401 authentication failed); "
                  "answered by gpt4o");
  CAF_CHECK_EQUAL(drained().size(), 2u);
}

CAF_TEST(a stream that fails before its first piece reports its fallback) {
  fails["anthropic"] = failure{errc::rate_limited, "slow down", 0ms, 429};
  start();
  auto rh = self->request(router, caf::infinite, stream_atom::value, ask("plan it"));
  sched.run();
  advance_time(10s); // the 429 is retried once after its backoff, then falls back
  sched.run();
  self->receive([](chunk_atom, const stream_chunk&) {}); // the fallback's one piece
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->fallbacks.size(), 1u);
  CAF_CHECK_EQUAL(r->fallbacks[0].reason, errc::rate_limited);
  CAF_CHECK_EQUAL(r->fallbacks[0].http_status, 429);
}

CAF_TEST(a lone candidate that fails gives up with its cause typed) {
  fails["anthropic"] = refused();
  start();
  auto req = ask("plan it");
  req.target = "claude-sonnet"; // as a pool member asks: one explicit target
  auto rh = self->request(router, caf::infinite, complete_atom::value, std::move(req));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(from_caf(r.error()).code, errc::all_failed); // what nodes and callers act on
  auto cause = cause_of(r.error());
  CAF_REQUIRE(cause);
  CAF_CHECK_EQUAL(cause->code, errc::auth);
  CAF_CHECK_EQUAL(cause->http_status, 401);
  CAF_CHECK(!cause_of(to_caf(refused()))); // a plain error has none
}

CAF_TEST(a retry the router waits for is told to the observer as the wait starts) {
  fails["anthropic"] = failure{errc::rate_limited, "slow down", 3000ms, 429};
  start();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("plan it", 7));
  sched.run(); // the first attempt failed: the router waits 3 s before the second
  auto wh = self->request(log, caf::infinite, retries_atom::value);
  sched.run();
  auto waits = answer_of<std::vector<retry_notice>>(wh);
  CAF_REQUIRE(waits);
  CAF_REQUIRE_EQUAL(waits->size(), 1u);
  const auto& n = waits->front();
  CAF_CHECK_EQUAL(n.id, 7u);
  CAF_CHECK_EQUAL(n.role, "mayor");
  CAF_CHECK(n.from.starts_with("claude-sonnet"));
  CAF_CHECK_EQUAL(n.reason, errc::rate_limited);
  CAF_CHECK_EQUAL(n.http_status, 429);
  CAF_CHECK_EQUAL(n.delay_ms, 3000);
  CAF_CHECK_EQUAL(n.attempt, 1);
  advance_time(3s); // the second attempt fails too; no retry left: it falls back, no notice
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "gpt4o");
  auto again = self->request(log, caf::infinite, retries_atom::value);
  sched.run();
  auto more = answer_of<std::vector<retry_notice>>(again);
  CAF_REQUIRE(more);
  CAF_CHECK(more->empty()); // asked once, told once
}

CAF_TEST(the log keeps only its newest reports) {
  auto small = spawn_fallback_log(sys, 2);
  for (int i = 0; i < 3; ++i)
    self->send(small, status_atom::value, fallback_report{"r" + std::to_string(i), {}});
  auto rh = self->request(small, caf::infinite, drain_atom::value);
  sched.run();
  auto r = answer_of<std::vector<fallback_report>>(rh);
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->size(), 2u);
  CAF_CHECK_EQUAL((*r)[0].role, "r1");
  CAF_CHECK_EQUAL((*r)[1].role, "r2");
  caf::anon_send_exit(small, caf::exit_reason::user_shutdown);
}

CAF_TEST(a count passes over candidates that cannot count and costs nothing) {
  fails["anthropic"] = failure{errc::unsupported, "no token-counting endpoint", 0ms, 0};
  told = std::make_shared<ledger_tally>();
  start();
  auto r = count();
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->alias, "gpt4o");
  CAF_CHECK_EQUAL(r->response.tokens.prompt_tokens, 6); // the scripted count: "gpt-4o"
  CAF_CHECK_EQUAL(r->response.usd, std::optional<double>{0.0});
  CAF_CHECK(r->response.content.empty());
  CAF_REQUIRE_EQUAL(r->fallbacks.size(), 1u);
  CAF_CHECK_EQUAL(r->fallbacks[0].reason, errc::unsupported);
  // Free: no budget asked, nothing recorded, for the passed-over attempt either.
  CAF_CHECK_EQUAL(told->budget_asks, 0);
  CAF_CHECK_EQUAL(told->records, 0);
  // A primary that cannot count does not cool down: the next count tries it again.
  auto again = count(2);
  CAF_REQUIRE(again.has_value());
  CAF_CHECK_EQUAL(again->attempts, 2);
  CAF_CHECK(!again->fallbacks[0].skipped);
  // An answer through the same router asks the ledger before each attempt and records each
  // (the primary refuses answers too here, so two).
  auto answered = complete(3);
  CAF_CHECK_EQUAL(answered.alias, "gpt4o");
  CAF_CHECK_EQUAL(told->budget_asks, 2);
  CAF_CHECK_EQUAL(told->records, 2);
}

CAF_TEST(a count neither starts nor ends a cooldown of chats) {
  fails["anthropic"] = refused(); // counts toward a cooldown (failures: 1)
  start();
  auto c = count(1);
  CAF_REQUIRE(c.has_value());
  CAF_CHECK_EQUAL(c->alias, "gpt4o");
  // The primary failed a count, not a chat: a chat still tries it first.
  auto r = complete(2);
  CAF_CHECK_EQUAL(r.attempts, 2);
  CAF_REQUIRE_EQUAL(r.fallbacks.size(), 1u);
  CAF_CHECK(!r.fallbacks[0].skipped);
  // That chat's failure cools the primary down; a count that skips it leaves it cooling.
  auto again = count(3);
  CAF_REQUIRE(again.has_value());
  CAF_CHECK(again->fallbacks[0].skipped);
  auto later = complete(4);
  CAF_CHECK_EQUAL(later.attempts, 1);
  CAF_CHECK(later.fallbacks[0].skipped);
}

CAF_TEST(a candidate that cannot count does not hide an earlier real failure) {
  fails["anthropic"] = refused();
  for (const auto* name : {"openai", "local"})
    fails[name] = failure{errc::unsupported, "no token-counting endpoint", 0ms, 0};
  start();
  auto rh = self->request(router, caf::infinite, count_atom::value, ask("plan it"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(!r);
  auto cause = cause_of(r.error());
  CAF_REQUIRE(cause.has_value());
  CAF_CHECK_EQUAL(cause->code, errc::auth); // the client hears 401, not "unsupported"
}

CAF_TEST(a count that no candidate can make fails naming each) {
  for (const auto* name : {"anthropic", "openai", "local"})
    fails[name] = failure{errc::unsupported, "no token-counting endpoint", 0ms, 0};
  start();
  auto r = count();
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, errc::all_failed);
  CAF_CHECK(r.error().message.find("claude-sonnet") != std::string::npos);
  CAF_CHECK(r.error().message.find("llama") != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
