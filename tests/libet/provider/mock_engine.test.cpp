#define CAF_SUITE libet.provider.mock_engine
#include "caf/test/unit_test.hpp"

#include "et/provider/mock_engine.hpp"

using namespace et;
using et::provider::mock_engine;

namespace {

chat_request ask(std::string model, std::string text, std::string system = {}) {
  chat_request req;
  req.model = std::move(model);
  if (!system.empty())
    req.messages.push_back(message{role::system, std::move(system), {}, {}, {}});
  req.messages.push_back(message{role::user, std::move(text), {}, {}, {}});
  return req;
}

config::mock_settings script(std::vector<config::mock_rule> rules) {
  config::mock_settings s;
  s.mode = "script";
  s.script = std::move(rules);
  return s;
}

} // namespace

CAF_TEST(echo mode answers with the last user message) {
  mock_engine engine{config::mock_settings{}};
  auto plan = engine.answer(ask("m", "hello there"));
  CAF_REQUIRE(!plan.error);
  CAF_CHECK_EQUAL(plan.response.content, "hello there");
  CAF_CHECK_EQUAL(plan.response.model, "m");
  CAF_CHECK_EQUAL(plan.response.finish, finish_reason::stop);
}

CAF_TEST(fixed mode substitutes the placeholders) {
  config::mock_settings s;
  s.mode = "fixed";
  s.text = "call {call} of {model}: {prompt}";
  mock_engine engine{s};
  CAF_CHECK_EQUAL(engine.answer(ask("m1", "a")).response.content, "call 1 of m1: a");
  CAF_CHECK_EQUAL(engine.answer(ask("m2", "b")).response.content, "call 2 of m2: b");
}

CAF_TEST(script rules match by model and by prompt text case insensitively) {
  mock_engine engine{script({{"planner", "break the TASK", "1. plan"},
                             {"planner", "", "synthesis"},
                             {"", "", "worker says {prompt}"}})};
  CAF_CHECK_EQUAL(engine.answer(ask("planner", "x", "Break the task down")).response.content,
                  "1. plan");
  CAF_CHECK_EQUAL(engine.answer(ask("planner", "combine")).response.content, "synthesis");
  CAF_CHECK_EQUAL(engine.answer(ask("worker", "hi")).response.content, "worker says hi");
}

CAF_TEST(a script without a matching rule says so instead of inventing text) {
  mock_engine engine{script({{"planner", "", "x"}})};
  auto content = engine.answer(ask("other", "hi")).response.content;
  CAF_CHECK(content.find("no rule for model other") != std::string::npos);
}

CAF_TEST(usage counts one token per started four bytes) {
  mock_engine engine{config::mock_settings{}};
  auto plan = engine.answer(ask("m", "abcdefghi")); // 9 bytes + newline in the prompt
  CAF_CHECK_EQUAL(plan.response.tokens.completion_tokens, 3);
  CAF_CHECK_EQUAL(plan.response.tokens.prompt_tokens, 3);
  CAF_CHECK_EQUAL(mock_engine::count_tokens(""), 0);
  CAF_CHECK_EQUAL(mock_engine::count_tokens("abcd"), 1);
}

CAF_TEST(max tokens truncates the reply and reports finish length) {
  config::mock_settings s;
  s.mode = "fixed";
  s.text = std::string(100, 'x');
  mock_engine engine{s};
  auto req = ask("m", "q");
  req.max_tokens = 5;
  auto plan = engine.answer(req);
  CAF_CHECK_EQUAL(plan.response.content.size(), 20u);
  CAF_CHECK_EQUAL(plan.response.finish, finish_reason::length);
  CAF_CHECK_EQUAL(plan.response.tokens.completion_tokens, 5);
}

CAF_TEST(pieces are words with their spaces and join back to the reply) {
  auto pieces = mock_engine::split_pieces("one two\n  three");
  CAF_REQUIRE_EQUAL(pieces.size(), 3u);
  CAF_CHECK_EQUAL(pieces[0], "one ");
  CAF_CHECK_EQUAL(pieces[1], "two\n  ");
  CAF_CHECK_EQUAL(pieces[2], "three");
  CAF_CHECK(mock_engine::split_pieces("").empty());
}

CAF_TEST(latency and pace turn into delays) {
  config::mock_settings s;
  s.latency = std::chrono::milliseconds{150};
  s.tokens_per_second = 400;
  mock_engine engine{s};
  auto plan = engine.answer(ask("m", "a b c"));
  CAF_CHECK_EQUAL(plan.first_delay.count(), 150);
  CAF_CHECK_EQUAL(plan.piece_delay.count(), 2);
  CAF_CHECK_EQUAL(plan.pieces.size(), 3u);
}

CAF_TEST(faults listed by call number fail exactly those calls) {
  config::mock_settings s;
  s.faults.push_back({errc::rate_limited, {1, 3}, 0, std::chrono::milliseconds{2000}, "slow"});
  mock_engine engine{s};
  auto first = engine.answer(ask("m", "a"));
  CAF_REQUIRE(first.error);
  CAF_CHECK_EQUAL(first.error->code, errc::rate_limited);
  CAF_CHECK_EQUAL(first.error->retry_after.count(), 2000);
  CAF_CHECK_EQUAL(first.error->http_status, 429);
  CAF_CHECK(!engine.answer(ask("m", "b")).error);
  CAF_CHECK(engine.answer(ask("m", "c")).error);
  CAF_CHECK(!engine.answer(ask("m", "d")).error);
}

CAF_TEST(probabilistic faults repeat exactly for the same seed) {
  config::mock_settings s;
  s.seed = 42;
  s.faults.push_back({errc::server_error, {}, 0.5, {}, "boom"});
  auto outcomes = [&] {
    mock_engine engine{s};
    std::string out;
    for (int i = 0; i < 64; ++i)
      out += engine.answer(ask("m", "x")).error ? 'F' : '.';
    return out;
  };
  auto a = outcomes();
  CAF_CHECK_EQUAL(a, outcomes());
  auto failures = std::count(a.begin(), a.end(), 'F');
  CAF_CHECK(failures > 10 && failures < 54); // both outcomes occur at p = 0.5
}

CAF_TEST(models come from the settings or else from the fallback list) {
  config::mock_settings s;
  mock_engine plain{s};
  CAF_CHECK_EQUAL(plain.models({"a", "b"}).size(), 2u);
  s.models = {"x"};
  mock_engine listed{s};
  auto models = listed.models({"a", "b"});
  CAF_REQUIRE_EQUAL(models.size(), 1u);
  CAF_CHECK_EQUAL(models[0].id, "x");
}
