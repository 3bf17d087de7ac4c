#define CAF_SUITE e2e.gateway
#include "caf/test/unit_test.hpp"

#include "gateway_fixture.hpp"

// `et serve --http` as a user runs it, in front of the fake upstream on
// loopback, driven by libet's HTTP client: both client protocols on every
// upstream protocol, streamed and not, role chains and their fallbacks
// (before the first byte only), errors in each client's shape with the right
// status, secrets kept out, and a client that hangs up.

using namespace et::e2e;
using namespace et::e2e::gw;

CAF_TEST_FIXTURE_SCOPE(gateway_tests, fixture)

CAF_TEST(health and models in both shapes) {
  serve();
  CAF_CHECK(has(gateway->err(), "OPEN MODE on loopback"));
  auto h = call("GET", "/health");
  CAF_CHECK_EQUAL(h.status, 200);
  CAF_CHECK_EQUAL(h.body, R"({"status":"ok"})");
  auto m = call("GET", "/v1/models");
  CAF_CHECK_EQUAL(m.status, 200);
  auto oa = json::parse(m.body);
  CAF_CHECK_EQUAL(std::string{oa.at("object").as_string()}, "list");
  std::set<std::string> ids;
  for (const auto& d : oa.at("data").as_array())
    ids.insert(std::string{d.at("id").as_string()});
  CAF_CHECK(ids.count("gpt") && ids.count("coder") && ids.count("held"));
  auto a = call("GET", "/v1/models", "", {{"anthropic-version", "2023-06-01"}});
  auto an = json::parse(a.body);
  CAF_CHECK_EQUAL(an.at("has_more").as_bool(), false);
  CAF_CHECK_EQUAL(std::string{an.at("data").at(0).at("type").as_string()}, "model");
  auto wrong = call("POST", "/v1/models");
  CAF_CHECK_EQUAL(wrong.status, 405);
  auto none = call("GET", "/v2/else");
  CAF_CHECK_EQUAL(none.status, 404);
  CAF_CHECK(has(none.body, "no route for GET /v2/else"));
}

CAF_TEST(an OpenAI client reaches every upstream protocol whole and streamed) {
  serve();
  for (std::string model : {"gpt", "claude", "gem", "llama"}) {
    auto r = openai(oai_body(model, false));
    CAF_CHECK_EQUAL(r.status, 200);
    auto o = json::parse(r.body);
    CAF_CHECK_EQUAL(std::string{o.at("model").as_string()}, model);
    CAF_CHECK_EQUAL(std::string{o.at("choices").at(0).at("message").at("content").as_string()},
                    "hello gateway"); // the fake upstream echoes the prompt
    CAF_CHECK_GREATER(o.at("usage").at("completion_tokens").as_int64(), 0);
    CAF_CHECK(has(r.header("x-et-answered-by"), model));
    auto s = openai(oai_body(model, true, R"(,"stream_options":{"include_usage":true})"));
    CAF_CHECK_EQUAL(s.status, 200);
    CAF_CHECK_EQUAL(s.header("content-type"), "text/event-stream");
    auto evs = events_of(s.body);
    CAF_REQUIRE_GREATER(evs.size(), 3u);
    CAF_CHECK_EQUAL(openai_text(evs), "hello gateway");
    CAF_CHECK(evs.back().done);
    const auto& last = evs[evs.size() - 2].data;
    CAF_CHECK(last.at("choices").as_array().empty());
    CAF_CHECK_GREATER(last.at("usage").at("total_tokens").as_int64(), 0);
    CAF_CHECK_EQUAL(
        std::string{evs[evs.size() - 3].data.at("choices").at(0).at("finish_reason").as_string()},
        "stop");
  }
}

// response_format goes to each upstream in its own protocol (the fake upstream answers with a JSON
// object when asked the documented way): OpenAI response_format, Ollama format, Gemini
// responseMimeType/responseJsonSchema, Anthropic output_config.format (a schema only).
CAF_TEST(response_format reaches every upstream protocol in its own words) {
  serve();
  const std::string object = R"(,"response_format":{"type":"json_object"})";
  const std::string schema = R"(,"response_format":{"type":"json_schema","json_schema":)"
                             R"({"name":"reply","schema":{"type":"object"}}})";
  const std::string expected = R"({"answer":"hello gateway"})";
  for (std::string model : {"gpt", "gem", "llama", "claude"}) {
    for (const auto& format : {object, schema}) {
      if (model == "claude" && format == object)
        continue; // below
      auto r = openai(oai_body(model, false, format));
      CAF_CHECK_EQUAL(r.status, 200);
      auto o = json::parse(r.body);
      CAF_CHECK_EQUAL(std::string{o.at("choices").at(0).at("message").at("content").as_string()},
                      expected);
      auto s = openai(oai_body(model, true, format));
      CAF_CHECK_EQUAL(openai_text(events_of(s.body)), expected);
    }
  }
  // Anthropic has no json_object: refused in the client's protocol, naming what to use.
  auto refused = openai(oai_body("claude", false, object));
  CAF_CHECK_EQUAL(refused.status, 400);
  CAF_CHECK(has(refused.body, "json_schema"));
  CAF_CHECK(clean(refused.body));
  // An Anthropic client asks with output_config.format, and any upstream answers in kind.
  for (std::string model : {"gpt", "claude", "gem", "llama"}) {
    auto a = anthropic(ant_body(model, false,
                                R"(,"output_config":{"format":{"type":"json_schema",)"
                                R"("schema":{"type":"object"}}})"));
    CAF_CHECK_EQUAL(a.status, 200);
    CAF_CHECK(has(a.body, R"("text":"{\"answer\":\"hello gateway\"}")"));
  }
  // Without response_format the answer is plain text, as before.
  CAF_CHECK(has(openai(oai_body("gpt", false)).body, R"("content":"hello gateway")"));
}

CAF_TEST(an Anthropic client reaches every upstream protocol with every event) {
  serve();
  // What Claude Code adds to every request: accepted, and every upstream answers as usual.
  const std::string claude_code =
      R"(,"thinking":{"budget_tokens":0,"type":"adaptive"},"output_config":{"effort":"medium"},)"
      R"("context_management":{"edits":[{"type":"clear_thinking_20251015","keep":"all"}]})";
  for (std::string model : {"gpt", "claude", "gem", "llama"}) {
    auto r = anthropic(
        ant_body(model, false, R"(,"system":"be brief","stop_sequences":["ZZZ"])" + claude_code));
    CAF_CHECK_EQUAL(r.status, 200);
    auto o = json::parse(r.body);
    CAF_CHECK_EQUAL(std::string{o.at("type").as_string()}, "message");
    CAF_CHECK_EQUAL(std::string{o.at("content").at(0).at("text").as_string()}, "hello gateway");
    CAF_CHECK_EQUAL(std::string{o.at("stop_reason").as_string()}, "end_turn");
    auto s = anthropic(ant_body(model, true, claude_code));
    CAF_CHECK_EQUAL(s.status, 200);
    auto evs = events_of(s.body);
    std::vector<std::string> names;
    for (const auto& e : evs)
      if (e.name != "content_block_delta")
        names.push_back(e.name);
    CAF_CHECK_EQUAL(
        names, (std::vector<std::string>{"message_start", "content_block_start", "ping",
                                         "content_block_stop", "message_delta", "message_stop"}));
    CAF_CHECK_EQUAL(anthropic_text(evs), "hello gateway");
    const auto& delta = evs[evs.size() - 2].data;
    CAF_CHECK_EQUAL(std::string{delta.at("delta").at("stop_reason").as_string()}, "end_turn");
    CAF_CHECK_GREATER(delta.at("usage").at("output_tokens").as_int64(), 0);
  }
}

CAF_TEST(a role with a pool is a load balanced group) {
  serve();
  // Idle members take turns: three requests reach the three members, each once.
  std::multiset<std::string> answered;
  for (int i = 0; i < 3; ++i) {
    auto r = openai(oai_body("team", false));
    CAF_CHECK_EQUAL(r.status, 200);
    answered.insert(r.header("x-et-answered-by"));
  }
  std::multiset<std::string> members;
  for (const auto& a : answered)
    for (std::string m : {"gpt", "claude", "gem"})
      if (has(a, m))
        members.insert(m);
  CAF_CHECK_EQUAL(members, (std::multiset<std::string>{"claude", "gem", "gpt"}));
}

CAF_TEST(a role falls back before the first byte and then reports the cooling candidate) {
  serve();
  auto s = openai(oai_body("coder", true)); // slow429 answers 429: gpt takes over
  CAF_CHECK_EQUAL(s.status, 200);
  CAF_CHECK_EQUAL(openai_text(events_of(s.body)), "hello gateway");
  CAF_CHECK(events_of(s.body).back().done);
  // slow429 is now cooling down: asked for by name, it is a 429 saying which and when.
  for (bool anthropic_client : {false, true}) {
    auto r = anthropic_client ? anthropic(ant_body("slow429", false))
                              : openai(oai_body("slow429", false));
    CAF_CHECK_EQUAL(r.status, 429);
    CAF_CHECK_GREATER(std::stoi(r.header("retry-after").empty() ? "0" : r.header("retry-after")),
                      0);
    CAF_CHECK(has(r.body, "slow429 (limited/fake-small): cooling down for another "));
    CAF_CHECK(has(r.body, "recovers in"));
    CAF_CHECK(has(r.body, "rate_limit_error"));
    CAF_CHECK(clean(r.body));
  }
}

CAF_TEST(a garbled upstream answer falls back and alone is a 502 not the client s 400) {
  serve();
  auto r = openai(oai_body("garblerole", false)); // garbled answers malformed JSON: gpt takes over
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK(has(r.body, "hello gateway"));
  auto alone = anthropic(ant_body("garbled2", false));
  CAF_CHECK_EQUAL(alone.status, 502);
  CAF_CHECK(has(alone.body, "api_error"));
  CAF_CHECK(has(alone.body, "bad_response"));
  CAF_CHECK(clean(alone.body));
  // It says something about the deployment: it counts towards its cooldown.
  auto again = openai(oai_body("garbled2", false));
  CAF_CHECK_EQUAL(again.status, 429);
  CAF_CHECK(has(again.body, "garbled2 (garbler/fake-medium): cooling down"));
}

CAF_TEST(a failure after the first byte ends the stream with an error event not a clean end) {
  serve();
  auto s = openai(oai_body("cutrole", true));
  CAF_CHECK_EQUAL(s.status, 200);
  auto evs = events_of(s.body);
  CAF_REQUIRE(!evs.empty());
  CAF_CHECK(has(openai_text(evs), "one"));
  CAF_CHECK(!has(openai_text(evs), "hello gateway")); // no fallback after the first byte
  CAF_CHECK(!evs.back().done);
  CAF_CHECK(evs.back().data.as_object().contains("error"));
  CAF_CHECK_EQUAL(std::string{evs.back().data.at("error").at("code").as_string()},
                  "stream_interrupted");
  // The same for an Anthropic client, on a role whose first candidate is fresh.
  auto a = anthropic(ant_body("cutrole2", true));
  CAF_CHECK_EQUAL(a.status, 200);
  auto aevs = events_of(a.body);
  CAF_REQUIRE(!aevs.empty());
  CAF_CHECK(has(anthropic_text(aevs), "one"));
  CAF_CHECK_EQUAL(aevs.back().name, "error");
  CAF_CHECK_EQUAL(std::string{aevs.back().data.at("error").at("type").as_string()}, "api_error");
  for (const auto& e : aevs)
    CAF_CHECK_NOT_EQUAL(e.name, "message_stop");
  CAF_CHECK(clean(s.body + a.body));
  // The log says what the client got: a 200, then the error event.
  CAF_CHECK(has(gateway->err(), "model=cutrole stream -> 200 then error event stream_interrupted"));
}

CAF_TEST(errors come in the client protocol with the right status and no secret) {
  serve();
  auto bad = openai(R"({"model":"gpt","messages":[{"role":"user","content":"x"}],"temprature":1})");
  CAF_CHECK_EQUAL(bad.status, 400);
  CAF_CHECK_EQUAL(field(bad.body, "error", "param"), "temprature");
  auto abad = anthropic(R"({"model":"gpt","messages":[{"role":"user","content":"x"}]})");
  CAF_CHECK_EQUAL(abad.status, 400);
  CAF_CHECK_EQUAL(field(abad.body, "error", "type"), "invalid_request_error");
  CAF_CHECK(has(abad.body, "max_tokens"));
  // Ollama cannot be made to call a tool: the upstream's refusal, in the client's protocol.
  auto tools = openai(oai_body(
      "llama", false,
      R"(,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"required")"));
  CAF_CHECK_EQUAL(tools.status, 400);
  CAF_CHECK(has(field(tools.body, "error", "message"), "required tool call"));
  auto unknown = anthropic(ant_body("gpt4", false));
  CAF_CHECK_EQUAL(unknown.status, 404);
  CAF_CHECK_EQUAL(field(unknown.body, "error", "type"), "not_found_error");
  CAF_CHECK(has(unknown.body, "did you mean"));
  CAF_CHECK_EQUAL(field(openai(oai_body("gpt4", false)).body, "error", "param"), "model");
  auto over_a = anthropic(ant_body("busy", false));
  CAF_CHECK_EQUAL(over_a.status, 529);
  CAF_CHECK(has(over_a.body, "overloaded_error"));
  auto over_o = openai(oai_body("busy2", false));
  CAF_CHECK_EQUAL(over_o.status, 503);
  auto locked = openai(oai_body("locked", false));
  CAF_CHECK_EQUAL(locked.status, 502);
  // An upstream that cannot be reached is named to the client, its address only in the log.
  auto gone = anthropic(ant_body("gone", false));
  CAF_CHECK_EQUAL(gone.status, 502);
  CAF_CHECK(has(gone.body, "<provider gone>"));
  CAF_CHECK(!has(gone.body, "127.0.0.1"));
  CAF_CHECK(has(gateway->err(), "127.0.0.1:1"));
  for (const auto* r : {&bad, &abad, &tools, &unknown, &over_a, &over_o, &locked, &gone})
    CAF_CHECK(clean(r->body));
  auto big = openai(oai_body("gpt", false, R"(,"user":")" + std::string(33u << 20, 'x') + "\""));
  CAF_CHECK_EQUAL(big.status, 413);
  CAF_CHECK(clean(gateway->err()));
  // Every request answered has its line in the log, refusals included.
  for (const auto* line : {"POST /v1/chat/completions -> 400 ",
                           "POST /v1/messages model=gpt4 -> 404 ", "/v1/chat/completions -> 413"})
    CAF_CHECK(has(gateway->err(), line));
}

CAF_TEST(a client that hangs up mid - stream cancels its request) {
  serve();
  auto got_text = std::make_shared<std::promise<void>>();
  auto once = std::make_shared<std::once_flag>();
  et::http::handlers h;
  h.on_body = [got_text, once](std::string_view piece) {
    if (piece.find("first") != std::string_view::npos)
      std::call_once(*once, [&] { got_text->set_value(); });
  };
  h.on_done = [](et::result<void>) {};
  auto ex = client.send(request("POST", "/v1/chat/completions", oai_body("held", true), {}), h);
  CAF_REQUIRE(got_text->get_future().wait_for(20s) == std::future_status::ready);
  ex.cancel(); // the client goes away while the upstream holds the stream
  bool logged = poll_until(
      [&] { return has(gateway->err(), "model=held stream -> 200 then error event cancelled"); },
      20s);
  CAF_CHECK(logged);
  CAF_CHECK_EQUAL(call("GET", "/health").status, 200); // and the gateway goes on
}

CAF_TEST(tool calls cross both protocols whole and streamed and results go back) {
  serve();
  const std::string oai_tools =
      R"(,"tools":[{"type":"function","function":{"name":"get_weather",)"
      R"("parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}])";
  const std::string ant_tools =
      R"(,"tools":[{"name":"get_weather","input_schema":{"type":"object"}}])";
  for (std::string model : {"gpttool", "claudetool"}) {
    // OpenAI client, whole and streamed.
    auto whole = openai(oai_body(model, false, oai_tools));
    CAF_CHECK_EQUAL(whole.status, 200);
    auto o = json::parse(whole.body);
    const auto& msg = o.at("choices").at(0).at("message");
    CAF_CHECK_EQUAL(std::string{o.at("choices").at(0).at("finish_reason").as_string()},
                    "tool_calls");
    CAF_REQUIRE(msg.as_object().contains("tool_calls"));
    const auto& call = msg.at("tool_calls").at(0);
    CAF_CHECK_EQUAL(std::string{call.at("function").at("name").as_string()}, "get_weather");
    CAF_CHECK_EQUAL(json::parse(call.at("function").at("arguments").as_string()),
                    json::parse(R"({"city":"Oslo","days":3})"));
    auto streamed = openai(oai_body(model, true, oai_tools));
    auto evs = events_of(streamed.body);
    CAF_REQUIRE_GREATER(evs.size(), 3u);
    CAF_CHECK(evs.back().done);
    std::string args;
    std::string finish;
    for (const auto& e : evs) {
      if (e.done || e.data.at("choices").as_array().empty())
        continue;
      const auto& c = e.data.at("choices").at(0);
      if (auto* calls = c.at("delta").as_object().if_contains("tool_calls"))
        args += std::string{calls->at(0).at("function").at("arguments").as_string()};
      if (c.at("finish_reason").is_string())
        finish = std::string{c.at("finish_reason").as_string()};
    }
    CAF_CHECK_EQUAL(json::parse(args), json::parse(R"({"city":"Oslo","days":3})"));
    CAF_CHECK_EQUAL(finish, "tool_calls");
    CAF_CHECK_EQUAL(openai_text(evs), "Checking.");
    // Anthropic client, whole and streamed.
    auto amsg = anthropic(ant_body(model, false, ant_tools));
    CAF_CHECK_EQUAL(amsg.status, 200);
    auto a = json::parse(amsg.body);
    CAF_CHECK_EQUAL(std::string{a.at("stop_reason").as_string()}, "tool_use");
    const auto& use = a.at("content").at(1);
    CAF_CHECK_EQUAL(std::string{use.at("type").as_string()}, "tool_use");
    CAF_CHECK_EQUAL(use.at("input"), json::parse(R"({"city":"Oslo","days":3})"));
    auto astream = anthropic(ant_body(model, true, ant_tools));
    auto aevs = events_of(astream.body);
    std::string partial;
    std::string stop;
    for (const auto& e : aevs) {
      if (e.name == "content_block_delta"
          && e.data.at("delta").at("type").as_string() == "input_json_delta")
        partial += std::string{e.data.at("delta").at("partial_json").as_string()};
      if (e.name == "message_delta")
        stop = std::string{e.data.at("delta").at("stop_reason").as_string()};
    }
    CAF_CHECK_EQUAL(json::parse(partial), json::parse(R"({"city":"Oslo","days":3})"));
    CAF_CHECK_EQUAL(stop, "tool_use");
    CAF_CHECK_EQUAL(aevs.back().name, "message_stop");
  }
  // The results go back in each protocol's own shape.
  auto back = openai(R"({"model":"claude","messages":[{"role":"user","content":"weather?"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
       "function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"}])"
                     + oai_tools + "}");
  CAF_CHECK_EQUAL(back.status, 200);
  auto aback = anthropic(R"({"model":"gpt","max_tokens":50,"messages":[
      {"role":"user","content":"weather?"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather",
       "input":{"city":"Oslo"}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]}])"
                         + ant_tools + "}");
  CAF_CHECK_EQUAL(aback.status, 200);
  CAF_CHECK(clean(back.body + aback.body));
}

CAF_TEST_FIXTURE_SCOPE_END()
