#define CAF_SUITE libet.routing.node
#include "caf/test/unit_test.hpp"

#include <limits>

#include "et/routing/node.hpp"

#include <cmath>

using namespace et;
using namespace std::chrono_literals;

CAF_TEST(the app identifier names et and the protocol major) {
  CAF_CHECK_EQUAL(routing::node_app_identifier(),
                  "et/" + std::to_string(routing::node_protocol_major));
}

CAF_TEST(a node is named by server name or else the host name) {
  config::server s;
  s.name = "gpu-box";
  CAF_CHECK_EQUAL(routing::node_name(s), "gpu-box");
  s.name.clear();
  CAF_CHECK(!routing::node_name(s).empty());
}

CAF_TEST(the aliases of a node are sorted with their provider and model) {
  config::settings s;
  s.models["zeta"] = config::model_alias{"zeta", "p", "z-1", {}, {}, {}, {}, {}, 128000, {}};
  s.models["alpha"] = config::model_alias{"alpha", "q", "a-1", {}, {}, {}, {}, {}, {}, {}};
  auto list = routing::node_aliases(s);
  CAF_REQUIRE_EQUAL(list.size(), 2u);
  CAF_CHECK_EQUAL(list[0].id, "alpha");
  CAF_CHECK_EQUAL(list[0].display_name, "q/a-1");
  CAF_CHECK_EQUAL(list[1].id, "zeta");
  CAF_CHECK(list[1].context_window == std::optional<int64_t>{128000});
}

CAF_TEST(a request log line has alias mode tokens latency and outcome on one line) {
  routing::request_log ok{"coder", true, usage{120, 45, 0, 0, 0}, 1234ms, "ok", ""};
  CAF_CHECK_EQUAL(routing::format_request_log(ok),
                  "alias=coder mode=stream tokens=120+45 latency=1234ms outcome=ok");
  routing::request_log bad{"coder", false, usage{}, 5ms, "overloaded", "busy\nnow"};
  CAF_CHECK_EQUAL(
      routing::format_request_log(bad),
      "alias=coder mode=complete tokens=0+0 latency=5ms outcome=overloaded (busy\\x0anow)");
  // A peer's alias cannot forge a line or reach a terminal as a control sequence.
  routing::request_log forged{"x\nalias=coder outcome=ok\x1b[2J" + std::string(1000, 'a'),
                              false,
                              usage{},
                              1ms,
                              "not_found",
                              "no alias"};
  auto line = routing::format_request_log(forged);
  CAF_CHECK_EQUAL(line.find('\n'), std::string::npos);
  CAF_CHECK_EQUAL(line.find('\x1b'), std::string::npos);
  CAF_CHECK(line.starts_with("alias=x\\x0aalias=coder outcome=ok\\x1b[2Jaaa"));
  CAF_CHECK_LESS(line.size(), 300u);
}

CAF_TEST(a health line says ok with the model count or why it failed) {
  routing::provider_health ok{"ol", "http://127.0.0.1:11434", true, 3, 12, ""};
  CAF_CHECK_EQUAL(routing::format_health(ok), "ok  3 models  12 ms");
  ok.models = 1;
  CAF_CHECK_EQUAL(routing::format_health(ok), "ok  1 model  12 ms");
  routing::provider_health down{"ol", "http://127.0.0.1:1", false, 0, 4, "network: refused"};
  CAF_CHECK_EQUAL(routing::format_health(down), "FAILED  network: refused  (4 ms)");
}

CAF_TEST(a remote request is clamped to the limits of the node alias) {
  config::settings s;
  s.defaults.max_tokens = 4096;
  config::model_alias limited{"coder", "p", "c-1", 1000, {}, {}, 8192, "5m", 128000, {}};
  chat_request greedy;
  greedy.max_tokens = 1'000'000;
  greedy.num_ctx = 1'000'000;
  greedy.temperature = 50.0;
  greedy.top_p = -3.0;
  greedy.keep_alive = "-1"; // forever
  greedy.stop.assign(100, "x");
  auto r = routing::clamp_remote_request(s, limited, greedy);
  CAF_CHECK(r.max_tokens == std::optional<int32_t>{1000});
  CAF_CHECK(r.num_ctx == std::optional<int32_t>{8192});
  CAF_CHECK(r.temperature == std::optional<double>{2.0});
  CAF_CHECK(r.top_p == std::optional<double>{0.0});
  CAF_CHECK_EQUAL(r.keep_alive, "5m");
  CAF_CHECK_EQUAL(r.stop.size(), routing::remote_stop_bound);
  // Within the limits nothing changes.
  chat_request modest;
  modest.max_tokens = 200;
  modest.num_ctx = 4096;
  modest.temperature = 0.2;
  modest.top_p = 0.9;
  auto same = routing::clamp_remote_request(s, limited, modest);
  CAF_CHECK(same.max_tokens == modest.max_tokens);
  CAF_CHECK(same.num_ctx == modest.num_ctx);
  CAF_CHECK(same.temperature == modest.temperature);
  CAF_CHECK(same.top_p == modest.top_p);
}

CAF_TEST(without alias limits the node defaults and absolute bounds apply) {
  config::settings s;
  s.defaults.max_tokens = 2048;
  config::model_alias bare{"coder", "p", "c-1", {}, {}, {}, {}, {}, {}, {}};
  chat_request greedy;
  greedy.max_tokens = 1'000'000;
  greedy.num_ctx = 1'000'000;
  greedy.keep_alive = "-1";
  auto r = routing::clamp_remote_request(s, bare, greedy);
  CAF_CHECK(r.max_tokens == std::optional<int32_t>{2048});
  CAF_CHECK(r.num_ctx == std::optional<int32_t>{routing::remote_num_ctx_bound});
  CAF_CHECK_EQUAL(r.keep_alive, "");
  // The context window bounds num_ctx when num_ctx is not set.
  bare.context_window = 16000;
  CAF_CHECK(routing::clamp_remote_request(s, bare, greedy).num_ctx
            == std::optional<int32_t>{16000});
  // Nonsense is dropped: the node's own defaults then apply.
  chat_request odd;
  odd.max_tokens = -5;
  odd.num_ctx = 0;
  odd.temperature = std::nan("");
  auto d = routing::clamp_remote_request(s, bare, odd);
  CAF_CHECK(!d.max_tokens);
  CAF_CHECK(!d.num_ctx);
  CAF_CHECK(!d.temperature);
}

CAF_TEST(a peer s request past what the gateway takes is refused) {
  chat_request ok;
  ok.messages.push_back(message{role::user, "hello", {}, {}, {}});
  CAF_CHECK_EQUAL(routing::remote_request_problem(ok), "");
  auto many = ok;
  many.messages.resize(routing::remote_max_messages + 1, ok.messages[0]);
  CAF_CHECK(routing::remote_request_problem(many).find("turns") != std::string::npos);
  auto tools = ok;
  tools.tools.resize(routing::remote_max_tools + 1);
  CAF_CHECK(routing::remote_request_problem(tools).find("tools") != std::string::npos);
  auto pictures = ok;
  pictures.messages[0].images.resize(routing::remote_max_images + 1);
  CAF_CHECK(routing::remote_request_problem(pictures).find("images") != std::string::npos);
  auto parts = ok;
  parts.messages[0].thoughts.resize(routing::remote_max_parts + 1);
  CAF_CHECK(routing::remote_request_problem(parts).find("parts") != std::string::npos);
  auto schema = ok;
  schema.format.schema = std::string(routing::remote_max_request_bytes + 1, '{');
  CAF_CHECK(routing::remote_request_problem(schema).find("MiB of text") != std::string::npos);
  auto stop = ok;
  stop.stop.push_back(std::string(routing::remote_max_stop_bytes + 1, 's'));
  CAF_CHECK(routing::remote_request_problem(stop).find("stop") != std::string::npos);
  // Text anywhere counts: here in a tool call's arguments.
  auto big = ok;
  big.messages.push_back(message{role::assistant, "", {}, {}, {}});
  big.messages[1].tool_calls.push_back(
      tool_call{"c", "f", std::string(routing::remote_max_request_bytes, 'a')});
  CAF_CHECK(routing::remote_request_problem(big).find("MiB of text") != std::string::npos);
}

CAF_TEST(a peer s status is shown one line a field with plausible numbers) {
  routing::node_status st;
  st.name = "gpu\nreachable  node fake";
  st.version = std::string(10'000, 'v');
  st.aliases.push_back(model_info{"ok", "sim/ok\x1b[2J", int64_t{0}});
  st.aliases.push_back(model_info{std::string(1000, 'x'), "", std::nullopt});
  st.aliases.push_back(model_info{"two\nlines", "", std::nullopt}); // no alias by that name
  st.ollama.resize(500);
  st.ollama[0].error = "down\nUNREACHABLE";
  st.ollama[0].models = -3;
  st.in_flight = -1;
  st.usd = std::numeric_limits<double>::quiet_NaN();
  auto shown = routing::plausible_status(st);
  CAF_CHECK(shown.name.find('\n') == std::string::npos);
  CAF_CHECK_LESS_OR_EQUAL(shown.version.size(), 260u);
  CAF_REQUIRE_EQUAL(shown.aliases.size(), 1u);
  CAF_CHECK(shown.aliases[0].display_name.find('\x1b') == std::string::npos);
  CAF_CHECK(!shown.aliases[0].context_window);
  CAF_CHECK_EQUAL(shown.ollama.size(), 100u);
  CAF_CHECK(shown.ollama[0].error.find('\n') == std::string::npos);
  CAF_CHECK_EQUAL(shown.ollama[0].models, 0);
  CAF_CHECK_EQUAL(shown.in_flight, 0);
  CAF_CHECK_EQUAL(shown.usd, 0.0);
}
