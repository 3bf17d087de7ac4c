#define CAF_SUITE actors.detail.message_types
#include "caf/test/unit_test.hpp"

#include "caf/all.hpp"
#include "caf/binary_deserializer.hpp"
#include "caf/binary_serializer.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"

using namespace et;

namespace {

struct config : caf::actor_system_config {
  config() { actors::add_message_types(*this); }
};

// Serializes `value` the way the middleman does and reads it back.
template <class T>
T round_trip(caf::actor_system& sys, T value) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  if (auto err = sink(value))
    CAF_FAIL("serialize: " << sys.render(err));
  T loaded;
  caf::binary_deserializer source{sys, buf};
  if (auto err = source(loaded))
    CAF_FAIL("deserialize: " << sys.render(err));
  return loaded;
}

} // namespace

CAF_TEST(a chat request with tools and optional fields survives serialization) {
  config cfg;
  caf::actor_system sys{cfg};
  chat_request req;
  req.model = "gpt-4o";
  req.messages.push_back(message{role::system, "be brief", {}, {}, {}});
  req.messages.push_back(
      message{role::assistant, "", {{"call_1", "read", R"({"p":"a"})"}}, {}, {}});
  req.messages.push_back(message{role::tool, "contents", {}, "call_1", "read"});
  req.tools.push_back(tool_spec{"read", "reads a file", R"({"type":"object"})"});
  req.max_tokens = 64;
  req.temperature = 0.5;
  req.stop = {"###"};
  req.num_ctx = 8192;
  CAF_CHECK(round_trip(sys, req) == req);
  // Signed thinking in a turn and what the client asked of thinking cross too.
  req.messages[1].thoughts = {thought{"hm", "sig", {}}, thought{{}, {}, "REDACTED"}};
  req.thinking = {thinking_request::want::on, 2048, thinking_style::budget, "high"};
  CAF_CHECK(round_trip(sys, req) == req);
  // Images and documents (bytes, links, names, pages; in user and tool turns) and the tool
  // policy cross to nodes too.
  req.messages[2].images = {image{"image/png", "iVBORw0KGgo=", {}, "low", 3}};
  req.messages.push_back(message{role::user, "see", {}, {}, {}});
  req.messages.back().images = {image{{}, {}, "https://example.com/a.png", {}, 3},
                                image{"application/pdf", "JVBERi0=", {}, {}, 0, "spec.pdf", 4}};
  req.tool_use = tool_policy{true, "read", true, true}; // every field set: each must cross
  auto loaded = round_trip(sys, req);
  CAF_CHECK(loaded.messages.at(2).images == req.messages[2].images);
  CAF_CHECK(loaded.messages.at(3).images == req.messages[3].images);
  CAF_CHECK(loaded.tool_use == req.tool_use);
  CAF_CHECK(loaded == req);
  chat_request empty;
  CAF_CHECK(round_trip(sys, empty) == empty);
  CAF_CHECK(!round_trip(sys, empty).max_tokens);
}

CAF_TEST(a chat response with usage and finish reason survives serialization) {
  config cfg;
  caf::actor_system sys{cfg};
  chat_response r;
  r.id = "resp_1";
  r.model = "claude";
  r.content = "hello";
  r.tool_calls.push_back({"t1", "f", "{}"});
  r.tokens = usage{10, 20, 3, 4, 5};
  r.finish = finish_reason::tool_calls;
  CAF_CHECK(round_trip(sys, r) == r);
  r.usd = 0.25; // priced by a remote node
  CAF_CHECK(round_trip(sys, r) == r);
  r.reasoning = "hm";
  r.thoughts = {thought{"hm", "sig", {}}};
  CAF_CHECK(round_trip(sys, r) == r);
}

CAF_TEST(a node status survives serialization) {
  config cfg;
  caf::actor_system sys{cfg};
  routing::node_status st;
  st.name = "gpu-box";
  st.version = "v0.1.0-3-gabc";
  st.aliases = {{"coder", "local/qwen", 32768}, {"fast", "sim/fast", std::nullopt}};
  st.in_flight = 2;
  st.max_in_flight = 64;
  st.served = 10;
  st.uptime_ms = 12345;
  st.usd = 0.5;
  st.tls = true;
  CAF_CHECK(round_trip(sys, st) == st);
}

CAF_TEST(model listings survive serialization) {
  config cfg;
  caf::actor_system sys{cfg};
  std::vector<model_info> models{{"a", "A", 128000}, {"b", "", std::nullopt}};
  CAF_CHECK(round_trip(sys, models) == models);
}

CAF_TEST(registered types print readably) {
  chunk c{"hi", "", "sig", ""};
  CAF_CHECK_EQUAL(caf::deep_to_string(c), R"(et.chunk("hi", "", "sig", ""))");
}

CAF_TEST(every kind of progress event survives serialization with its own fields) {
  config cfg;
  caf::actor_system sys{cfg};
  roles::subtask_outcome o;
  o.result = roles::worker_result{3, "build it", "done", true, ""};
  o.member = "coder";
  o.score = 8;
  std::vector<roles::progress> events{
      {3, roles::progress::assigned{"coder", 2}},
      {3, roles::progress::streamed{42}},
      {3, roles::progress::attempt_failed{"coder", 1, "timed out"}},
      {3, roles::progress::reviewed{"coder", 6.5, "add tests", true}},
      {3, roles::progress::finished{o}},
  };
  for (const auto& p : events) {
    auto back = round_trip(sys, p);
    CAF_CHECK(back == p);
    CAF_CHECK(back.kind() == p.kind());
  }
}

CAF_TEST(a progress event with an unknown kind is refused when loaded) {
  config cfg;
  caf::actor_system sys{cfg};
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  int32_t number = 1;
  uint8_t kind = 9; // past the last alternative
  CAF_REQUIRE(!sink(number, kind));
  roles::progress loaded;
  caf::binary_deserializer source{sys, buf};
  CAF_CHECK(source(loaded));
}

CAF_TEST(progress events print by kind and field) {
  roles::progress p{2, roles::progress::attempt_failed{"coder", 1, "boom"}};
  auto text = caf::deep_to_string(p);
  CAF_CHECK(text.find("et.progress.attempt_failed") != std::string::npos);
  CAF_CHECK(text.find("boom") != std::string::npos);
}
