#define CAF_SUITE actors.router
#define FAIL(msg) CAF_FAIL(msg)
#include "router_test.hpp"

// The router: answers, prices, listings, retries, fallbacks and cooldowns.
// Crashes and restarts, streams and cancels are in router_lifecycle.test.cpp.

using namespace router_test;

CAF_TEST_FIXTURE_SCOPE(router_tests, fixture)

CAF_TEST(the primary answers and the response names it) {
  start();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->response.content, "from primary");
  CAF_CHECK_EQUAL(r->alias, "main");
  CAF_CHECK_EQUAL(r->provider, "primary");
  CAF_CHECK_EQUAL(r->model, "main-model");
  CAF_CHECK_EQUAL(r->attempts, 1);
}

CAF_TEST(each answer carries its cost priced with the alias prices) {
  start([](config::settings& s) { s.models["main"].prices = config::price{2.0, 10.0, 0, 0}; });
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  const auto& tokens = r->response.tokens;
  CAF_REQUIRE(tokens.prompt_tokens > 0 && tokens.completion_tokens > 0);
  CAF_REQUIRE(r->response.usd);
  auto expected = (tokens.prompt_tokens * 2.0 + tokens.completion_tokens * 10.0) / 1e6;
  CAF_CHECK_LESS(std::abs(*r->response.usd - expected), 1e-12);
}

CAF_TEST(a count through the router is what the mock then bills as input) {
  start();
  auto counted = self->request(router, caf::infinite, count_atom::value,
                               ask("polecat", "count the tokens of this prompt"));
  sched.run();
  auto c = answer_of(counted);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->alias, "main");
  CAF_CHECK(c->response.content.empty());
  auto answered = self->request(router, caf::infinite, complete_atom::value,
                                ask("polecat", "count the tokens of this prompt"));
  sched.run();
  auto a = answer_of(answered);
  CAF_REQUIRE(a);
  CAF_CHECK_GREATER(c->response.tokens.prompt_tokens, 0);
  CAF_CHECK_EQUAL(c->response.tokens.prompt_tokens, a->response.tokens.prompt_tokens);
}

CAF_TEST(the router lists the models of a provider by name and refuses unknown ones) {
  start();
  auto known = self->request(router, caf::infinite, models_atom::value, std::string{"primary"});
  sched.run();
  known.receive([](std::vector<model_info>&) {},
                [](caf::error& e) { CAF_FAIL("models: " << to_string(from_caf(e))); });
  auto unknown = self->request(router, caf::infinite, models_atom::value, std::string{"nope"});
  sched.run();
  unknown.receive([](std::vector<model_info>&) { CAF_FAIL("expected not_found"); },
                  [](caf::error& e) {
                    auto f = from_caf(e);
                    CAF_CHECK(f.code == errc::not_found);
                    CAF_CHECK_EQUAL(f.message, "no provider \"nope\"");
                  });
}

CAF_TEST(the pool of a role shares requests by load relative to the capacity of each member) {
  start();
  *crashes = 100; // the fragile provider holds every "hang"
  for (uint64_t id = 1; id <= 3; ++id)
    self->request(router, caf::infinite, complete_atom::value, ask("gang", "hang", id));
  sched.run();
  // weak takes one at once, weak2 two: one each, then weak2 (half loaded) before weak (full).
  CAF_CHECK_EQUAL(jobs_at(), (std::map<std::string, int>{{"weak", 1}, {"weak2", 2}}));
}

CAF_TEST(idle pool members take turns and a failing member falls back to the others) {
  faults["primary"].push_back(fault(errc::context_overflow, {2}));
  start();
  std::vector<std::string> answered;
  for (uint64_t id = 1; id <= 3; ++id) {
    auto rh = self->request(router, caf::infinite, complete_atom::value, ask("crowd", "hi", id));
    sched.run();
    auto r = answer_of(rh);
    CAF_REQUIRE(r);
    answered.push_back(r->alias);
  }
  // The third call fails at main (its turn again) and goes to the other member, not to
  // the role's fallback.
  CAF_CHECK_EQUAL(answered, (std::vector<std::string>{"main", "spare", "spare"}));
}

CAF_TEST(a 429 with retry after is retried after exactly that delay) {
  faults["primary"].push_back(fault(errc::rate_limited, {1}, 5s));
  start([](config::settings&) {});
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  CAF_CHECK_EQUAL(state().jobs.size(), 1u);
  advance_time(4999ms);
  sched.run();
  CAF_CHECK_EQUAL(state().jobs.size(), 1u); // still waiting
  advance_time(1ms);
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->provider, "primary");
  CAF_CHECK_EQUAL(r->attempts, 2);
}

CAF_TEST(server errors back off exponentially then fall back) {
  faults["primary"].push_back(fault(errc::server_error, {1, 2, 3}));
  start();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  advance_time(999ms); // first backoff is 1s
  sched.run();
  CAF_CHECK_EQUAL(only_job().attempts, 1);
  advance_time(1ms);
  sched.run();
  CAF_CHECK_EQUAL(only_job().attempts, 2);
  advance_time(2s); // second backoff is 2s, then the third attempt fails too
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "spare");
  CAF_CHECK_EQUAL(r->response.content, "from backup");
  CAF_CHECK_EQUAL(r->attempts, 4);
}

CAF_TEST(context overflow falls back at once without retrying) {
  faults["primary"].push_back(fault(errc::context_overflow, {1}));
  start();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "spare");
  CAF_CHECK_EQUAL(r->attempts, 2);
}

CAF_TEST(a bad request fails fast with the deployment named) {
  faults["primary"].push_back(fault(errc::bad_request, {1}));
  start();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(!r);
  auto f = from_caf(r.error());
  CAF_CHECK_EQUAL(f.code, errc::bad_request);
  CAF_CHECK(f.message.find("main (primary/main-model)") != std::string::npos);
}

CAF_TEST(a deployment that keeps failing cools down and is skipped) {
  faults["primary"].push_back(fault(errc::auth, {1}));
  start([](config::settings& s) { s.cooldown.failures = 1; });
  auto first = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "a", 1));
  sched.run();
  auto first_answer = answer_of(first);
  CAF_REQUIRE(first_answer);
  CAF_CHECK_EQUAL(first_answer->alias, "spare");
  auto second = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "b", 2));
  sched.run();
  auto r = answer_of(second);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "spare");
  CAF_CHECK_EQUAL(r->attempts, 1); // primary was not even tried
  advance_time(30s);
  auto third = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "c", 3));
  sched.run();
  auto third_answer = answer_of(third);
  CAF_REQUIRE(third_answer);
  CAF_CHECK_EQUAL(third_answer->alias, "main"); // back after the period
}

// A request a deployment cannot take says nothing about the deployment: on a shared gateway,
// one client's oversized or malformed requests must not take the model from everyone else.
CAF_TEST(requests a deployment cannot take do not cool it down) {
  faults["primary"].push_back(fault(errc::context_overflow, {1}));
  faults["primary"].push_back(fault(errc::bad_request, {2}));
  faults["primary"].push_back(fault(errc::unsupported, {3}));
  start([](config::settings& s) { s.cooldown.failures = 1; });
  auto too_long =
      self->request(router, caf::infinite, complete_atom::value, ask("polecat", "a", 1));
  sched.run();
  auto first = answer_of(too_long);
  CAF_REQUIRE(first);
  CAF_CHECK_EQUAL(first->alias, "spare"); // overflow falls back at once
  auto malformed =
      self->request(router, caf::infinite, complete_atom::value, ask("polecat", "b", 2));
  sched.run();
  auto r = answer_of(malformed);
  CAF_REQUIRE(!r); // fails fast at primary: it was tried, not skipped as cooling down
  CAF_CHECK(from_caf(r.error()).message.find("cooling down") == std::string::npos);
  auto lacking = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "c", 3));
  sched.run();
  auto elsewhere = answer_of(lacking); // a feature primary lacks: the next one may have it
  CAF_REQUIRE(elsewhere);
  CAF_CHECK_EQUAL(elsewhere->alias, "spare");
  CAF_CHECK_EQUAL(elsewhere->attempts, 2);
  auto fine = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "d", 4));
  sched.run();
  auto last = answer_of(fine);
  CAF_REQUIRE(last);
  CAF_CHECK_EQUAL(last->alias, "main");
  CAF_CHECK_EQUAL(last->attempts, 1);
}

CAF_TEST(when every candidate cools down the error says when the first returns) {
  faults["primary"].push_back(fault(errc::auth, {1}));
  faults["backup"].push_back(fault(errc::auth, {1}));
  start([](config::settings& s) { s.cooldown.failures = 1; });
  auto first = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "a", 1));
  sched.run();
  auto first_answer = answer_of(first);
  CAF_CHECK(!first_answer);
  advance_time(10s);
  auto second = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "b", 2));
  sched.run();
  auto r = answer_of(second);
  CAF_REQUIRE(!r);
  auto f = from_caf(r.error());
  CAF_CHECK_EQUAL(f.code, errc::all_failed);
  CAF_CHECK_EQUAL(f.retry_after.count(), 20000);
  CAF_CHECK(f.message.find("cooling down for another 20s") != std::string::npos);
}

CAF_TEST(an upstream s own wait reaches the requester when every candidate failed) {
  // Past max_wait (60 s) the router falls back instead of waiting; the time stays known.
  faults["primary"].push_back(fault(errc::rate_limited, {1}, 120s));
  faults["backup"].push_back(fault(errc::auth, {1}));
  start();
  auto asked = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "a", 1));
  sched.run();
  auto r = answer_of(asked);
  CAF_REQUIRE(!r);
  auto f = from_caf(r.error());
  CAF_CHECK_EQUAL(f.code, errc::all_failed);
  CAF_CHECK_EQUAL(f.retry_after.count(), 120000);
}

CAF_TEST_FIXTURE_SCOPE_END()
