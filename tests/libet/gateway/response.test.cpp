#define CAF_SUITE libet.gateway.response
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "et/gateway/errors.hpp"
#include "et/gateway/models.hpp"
#include "et/gateway/response.hpp"
#include "et/gateway/stream.hpp"
#include "render_support.hpp"

using namespace et;
using namespace et::gateway;
namespace json = boost::json;

using namespace et::gateway::test;

CAF_TEST(an OpenAI completion carries text usage and finish reason) {
  auto o = json::parse(openai_response(answer(), meta)).as_object();
  CAF_CHECK_EQUAL(std::string{o["object"].as_string()}, "chat.completion");
  CAF_CHECK_EQUAL(std::string{o["model"].as_string()}, "small");
  auto& choice = o["choices"].as_array()[0].as_object();
  CAF_CHECK_EQUAL(std::string{choice["message"].as_object()["content"].as_string()}, "Hello there");
  CAF_CHECK_EQUAL(std::string{choice["finish_reason"].as_string()}, "length");
  CAF_CHECK_EQUAL(o["usage"].as_object()["total_tokens"].as_int64(), 15);
}

CAF_TEST(an Anthropic message carries text usage and stop reason) {
  auto r = answer();
  r.tokens.cache_read_tokens = 2;
  auto o = json::parse(anthropic_response(r, meta)).as_object();
  CAF_CHECK_EQUAL(std::string{o["type"].as_string()}, "message");
  CAF_CHECK_EQUAL(std::string{o["content"].as_array()[0].as_object()["text"].as_string()},
                  "Hello there");
  CAF_CHECK_EQUAL(std::string{o["stop_reason"].as_string()}, "max_tokens");
  auto& u = o["usage"].as_object();
  CAF_CHECK_EQUAL(u["input_tokens"].as_int64(), 10); // cached input is counted apart
  CAF_CHECK_EQUAL(u["cache_read_input_tokens"].as_int64(), 2);
  CAF_CHECK_EQUAL(u["output_tokens"].as_int64(), 3);
}

CAF_TEST(an Anthropic answer that ended on a stop sequence names it whole and streamed) {
  auto r = answer();
  r.finish = finish_reason::stop;
  r.stop_sequence = "</a>";
  auto o = json::parse(anthropic_response(r, meta)).as_object();
  CAF_CHECK_EQUAL(std::string{o["stop_reason"].as_string()}, "stop_sequence");
  CAF_CHECK_EQUAL(std::string{o["stop_sequence"].as_string()}, "</a>");
  anthropic_stream s{meta};
  auto ev = events(streamed(s, {chunk{"Hi", ""}}, r));
  CAF_REQUIRE_EQUAL(ev.size(), 7u);
  CAF_CHECK_EQUAL(std::string{ev[5].at("delta").at("stop_reason").as_string()}, "stop_sequence");
  CAF_CHECK_EQUAL(std::string{ev[5].at("delta").at("stop_sequence").as_string()}, "</a>");
  // A natural end, or an upstream that did not say which sequence: end_turn and null.
  r.stop_sequence.clear();
  o = json::parse(anthropic_response(r, meta)).as_object();
  CAF_CHECK_EQUAL(std::string{o["stop_reason"].as_string()}, "end_turn");
  CAF_CHECK(o["stop_sequence"].is_null());
  CAF_CHECK_EQUAL(openai_finish(r), "stop");
}

CAF_TEST(an OpenAI stream ends with DONE and usage only when asked) {
  openai_stream with{meta, true};
  auto text = streamed(with, {chunk{"Hel", ""}, chunk{"lo", ""}}, answer());
  auto ev = events(text);
  CAF_REQUIRE_EQUAL(ev.size(), 5u);
  CAF_CHECK_EQUAL(std::string{ev[0].at("choices").at(0).at("delta").at("role").as_string()},
                  "assistant");
  CAF_CHECK_EQUAL(std::string{ev[1].at("choices").at(0).at("delta").at("content").as_string()},
                  "Hel");
  CAF_CHECK(ev[1].at("usage").is_null());
  CAF_CHECK_EQUAL(std::string{ev[3].at("choices").at(0).at("finish_reason").as_string()}, "length");
  CAF_CHECK(ev[4].at("choices").as_array().empty());
  CAF_CHECK_EQUAL(ev[4].at("usage").at("completion_tokens").as_int64(), 3);
  CAF_CHECK(text.size() > 14 && text.substr(text.size() - 14) == "data: [DONE]\n\n");
  openai_stream without{meta, false};
  auto plain = events(streamed(without, {}, answer()));
  CAF_CHECK_EQUAL(plain.size(), 2u);
  CAF_CHECK(!plain[1].as_object().contains("usage"));
}

CAF_TEST(a failed OpenAI stream ends with an error event and no DONE) {
  openai_stream s{meta, false};
  auto text = s.fail(client_error{502, "cut", "", 0, "stream_interrupted"});
  CAF_CHECK(text.find("[DONE]") == std::string::npos);
  auto ev = events(text);
  CAF_REQUIRE_EQUAL(ev.size(), 1u);
  CAF_CHECK_EQUAL(std::string{ev[0].at("error").at("message").as_string()}, "cut");
}

CAF_TEST(an Anthropic stream has every event in order) {
  anthropic_stream s{meta};
  std::vector<std::string> names;
  auto ev = events(streamed(s, {chunk{"Hi", ""}}, answer()), &names);
  std::vector<std::string> expected{"message_start",       "content_block_start", "ping",
                                    "content_block_delta", "content_block_stop",  "message_delta",
                                    "message_stop"};
  CAF_CHECK_EQUAL(names, expected);
  CAF_REQUIRE_EQUAL(ev.size(), expected.size());
  for (size_t i = 0; i < ev.size(); ++i)
    CAF_CHECK_EQUAL(std::string{ev[i].at("type").as_string()},
                    expected[i]); // data type matches the event
  CAF_CHECK_EQUAL(std::string{ev[3].at("delta").at("text").as_string()}, "Hi");
  CAF_CHECK_EQUAL(std::string{ev[5].at("delta").at("stop_reason").as_string()}, "max_tokens");
  CAF_CHECK_EQUAL(ev[5].at("usage").at("output_tokens").as_int64(), 3);
  std::vector<std::string> failed;
  auto err = events(s.fail(client_error{529, "busy", "", 0, "overloaded"}), &failed);
  CAF_CHECK_EQUAL(failed, std::vector<std::string>{"error"});
  CAF_CHECK_EQUAL(std::string{err[0].at("error").at("type").as_string()}, "overloaded_error");
}

CAF_TEST(failures map to the client protocol status and shape) {
  auto bad = error_for(protocol::openai, make_failure(errc::invalid_input, "`messages`: missing"));
  CAF_CHECK_EQUAL(bad.status, 400);
  CAF_CHECK_EQUAL(bad.param, "messages");
  auto body = json::parse(error_body(protocol::openai, bad));
  CAF_CHECK_EQUAL(std::string{body.at("error").at("param").as_string()}, "messages");
  CAF_CHECK_EQUAL(std::string{body.at("error").at("type").as_string()}, "invalid_request_error");
  CAF_CHECK_EQUAL(error_for(protocol::openai, make_failure(errc::not_found, "x")).status, 404);
  CAF_CHECK_EQUAL(error_for(protocol::openai, make_failure(errc::overloaded, "x")).status, 503);
  CAF_CHECK_EQUAL(error_for(protocol::anthropic, make_failure(errc::overloaded, "x")).status, 529);
  CAF_CHECK_EQUAL(error_for(protocol::openai, make_failure(errc::server_error, "x")).status, 502);
  CAF_CHECK_EQUAL(error_for(protocol::openai, make_failure(errc::auth, "x")).status, 502);
  CAF_CHECK_EQUAL(error_for(protocol::openai, make_failure(errc::timeout, "x")).status, 504);
  failure limited{errc::rate_limited, "slow", std::chrono::milliseconds{1500}, 429};
  auto rl = error_for(protocol::anthropic, limited);
  CAF_CHECK_EQUAL(rl.status, 429);
  CAF_CHECK_EQUAL(rl.retry_after_s, 2);
  auto ab = json::parse(error_body(protocol::anthropic, rl));
  CAF_CHECK_EQUAL(std::string{ab.at("type").as_string()}, "error");
  CAF_CHECK_EQUAL(std::string{ab.at("error").at("type").as_string()}, "rate_limit_error");
  // Rate limited without a time from any upstream: a client still gets one to wait.
  auto bare = error_for(protocol::openai, make_failure(errc::rate_limited, "slow"));
  CAF_CHECK_EQUAL(bare.status, 429);
  CAF_CHECK_EQUAL(bare.retry_after_s, 1);
  auto all = error_for(protocol::openai, make_failure(errc::all_failed, "every one limited"),
                       errc::rate_limited);
  CAF_CHECK_EQUAL(all.status, 429);
  CAF_CHECK_EQUAL(all.retry_after_s, 1);
  // A method not allowed is the client's doing, in either protocol; a 5xx is the server's.
  client_error wrong{405, "use POST", "", 0, ""};
  CAF_CHECK_EQUAL(error_type(protocol::openai, wrong), "invalid_request_error");
  CAF_CHECK_EQUAL(error_type(protocol::anthropic, wrong), "invalid_request_error");
  CAF_CHECK_EQUAL(error_type(protocol::openai, client_error{502, "x", "", 0, ""}), "server_error");
  CAF_CHECK_EQUAL(error_type(protocol::anthropic, client_error{502, "x", "", 0, ""}), "api_error");
}

CAF_TEST(client bytes in messages are cut between characters and never invalid UTF - 8) {
  std::string accents;
  for (int i = 0; i < 150; ++i)
    accents += "\xc3\xa9"; // 300 bytes of é
  auto cut = printable(accents, 255);
  CAF_CHECK_EQUAL(cut, accents.substr(0, 254) + "...");
  CAF_CHECK_EQUAL(printable("a\xff\xc3"
                            "b`\n",
                            256),
                  "a\\xff\\xc3b\\x60\\x0a");
  // In an error body too: a client's JSON parser reads it.
  client_error e{400, "unknown field `" + printable(accents + "\xc3", 255) + "`", "", 0, ""};
  boost::system::error_code ec;
  boost::json::parse(error_body(protocol::openai, e), ec);
  CAF_CHECK(!ec);
}

CAF_TEST(every candidate cooling down is a 429 saying when the first recovers) {
  failure all{errc::all_failed, "a (p/m): cooling down", std::chrono::milliseconds{4200}, 0};
  auto e = error_for(protocol::openai, all, errc::rate_limited);
  CAF_CHECK_EQUAL(e.status, 429);
  CAF_CHECK_EQUAL(e.retry_after_s, 5);
  CAF_CHECK(e.message.find("recovers in 5s") != std::string::npos);
  failure none{errc::all_failed, "all failed", std::chrono::milliseconds{0}, 0};
  CAF_CHECK_EQUAL(error_for(protocol::anthropic, none, errc::overloaded).status, 529);
  CAF_CHECK_EQUAL(error_for(protocol::openai, none, errc::server_error).status, 502);
  CAF_CHECK_EQUAL(error_for(protocol::openai, none).status, 502);
}

CAF_TEST(models list in both shapes and model names resolve) {
  config::settings s;
  s.providers["oa"] = config::provider{};
  s.models["small"] = config::model_alias{};
  s.roles["coder"] = config::role{};
  auto list = offered_models(s);
  CAF_REQUIRE_EQUAL(list.size(), 2u);
  auto oa = json::parse(models_list(protocol::openai, list));
  CAF_CHECK_EQUAL(std::string{oa.at("object").as_string()}, "list");
  CAF_CHECK_EQUAL(std::string{oa.at("data").at(0).at("id").as_string()}, "small");
  CAF_CHECK_EQUAL(std::string{oa.at("data").at(1).at("owned_by").as_string()}, "et role");
  auto an = json::parse(models_list(protocol::anthropic, list));
  CAF_CHECK_EQUAL(std::string{an.at("data").at(1).at("type").as_string()}, "model");
  CAF_CHECK_EQUAL(an.at("has_more").as_bool(), false);
  CAF_CHECK_EQUAL(std::string{an.at("last_id").as_string()}, "coder");
  auto role = route_model(s, "coder");
  CAF_REQUIRE(role);
  CAF_CHECK_EQUAL(role->role, "coder");
  CAF_CHECK_EQUAL(role->target, "");
  auto alias = route_model(s, "small");
  CAF_REQUIRE(alias);
  CAF_CHECK_EQUAL(alias->role, "gateway");
  CAF_CHECK_EQUAL(alias->target, "small");
  CAF_CHECK(route_model(s, "oa/gpt-x"));
  auto unknown = route_model(s, "smal");
  CAF_REQUIRE(!unknown);
  CAF_CHECK(unknown.error().code == errc::not_found);
  CAF_CHECK(unknown.error().message.find("did you mean \"small\"") != std::string::npos);
  CAF_CHECK(!route_model(s, "nope/gpt-x")); // not a configured provider
}

CAF_TEST(tool calls reach OpenAI clients whole and streamed) {
  auto r = answer();
  r.content.clear();
  r.finish = finish_reason::stop; // as some upstreams say even when they called tools
  r.tool_calls = {tool_call{"call_9", "get_weather", R"({"city":"Oslo"})"},
                  tool_call{"", "now", ""}};
  auto o = json::parse(openai_response(r, meta));
  const auto& msg = o.at("choices").at(0).at("message");
  CAF_CHECK(msg.at("content").is_null());
  CAF_CHECK_EQUAL(std::string{msg.at("tool_calls").at(0).at("id").as_string()}, "call_9");
  CAF_CHECK_EQUAL(
      std::string{msg.at("tool_calls").at(0).at("function").at("arguments").as_string()},
      R"({"city":"Oslo"})");
  CAF_CHECK_EQUAL(std::string{msg.at("tool_calls").at(1).at("id").as_string()}, "call_id-1_1");
  CAF_CHECK_EQUAL(std::string{o.at("choices").at(0).at("finish_reason").as_string()}, "tool_calls");
  openai_stream s{meta, false};
  auto ev = events(streamed(s, {}, r));
  CAF_REQUIRE_EQUAL(ev.size(), 3u);
  const auto& calls = ev[1].at("choices").at(0).at("delta").at("tool_calls");
  CAF_CHECK_EQUAL(calls.at(1).at("index").as_int64(), 1);
  CAF_CHECK_EQUAL(std::string{calls.at(0).at("function").at("name").as_string()}, "get_weather");
  CAF_CHECK_EQUAL(std::string{ev[2].at("choices").at(0).at("finish_reason").as_string()},
                  "tool_calls");
}

CAF_TEST(tool calls reach Anthropic clients as tool_use blocks whole and streamed) {
  auto r = answer();
  r.content = "Let me look.";
  r.tool_calls = {tool_call{"toolu_9", "get_weather", R"({"city":"Oslo"})"}};
  CAF_CHECK(check_relayable(protocol::anthropic, r));
  auto o = json::parse(anthropic_response(r, meta));
  CAF_CHECK_EQUAL(std::string{o.at("content").at(0).at("text").as_string()}, "Let me look.");
  const auto& use = o.at("content").at(1);
  CAF_CHECK_EQUAL(std::string{use.at("type").as_string()}, "tool_use");
  CAF_CHECK_EQUAL(std::string{use.at("input").at("city").as_string()}, "Oslo");
  CAF_CHECK_EQUAL(std::string{o.at("stop_reason").as_string()}, "tool_use");
  anthropic_stream s{meta};
  std::vector<std::string> names;
  auto ev = events(streamed(s, {chunk{"Let me look.", ""}}, r), &names);
  std::vector<std::string> expected{
      "message_start",       "content_block_start", "ping",
      "content_block_delta", "content_block_stop",  "content_block_start",
      "content_block_delta", "content_block_stop",  "message_delta",
      "message_stop"};
  CAF_CHECK_EQUAL(names, expected);
  CAF_CHECK_EQUAL(ev[5].at("index").as_int64(), 1);
  CAF_CHECK_EQUAL(std::string{ev[5].at("content_block").at("name").as_string()}, "get_weather");
  CAF_CHECK_EQUAL(std::string{ev[6].at("delta").at("partial_json").as_string()},
                  R"({"city":"Oslo"})");
  CAF_CHECK_EQUAL(std::string{ev[8].at("delta").at("stop_reason").as_string()}, "tool_use");
  // Arguments that are not an object cannot become a tool_use input: refused, not bent.
  r.tool_calls[0].arguments = "[1,2]";
  CAF_CHECK(!check_relayable(protocol::anthropic, r));
  CAF_CHECK(check_relayable(protocol::openai, r));
}
