#define CAF_SUITE libet.gateway.response_thinking
#include "caf/test/unit_test.hpp"

// A model's thinking as each client protocol shows it: OpenAI's reasoning_content, Anthropic's
// thinking blocks with their signatures, whole and streamed.

#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "render_support.hpp"

using namespace et;
using namespace et::gateway;
using namespace et::gateway::test;

namespace {

chat_response thoughtful() {
  auto r = answer();
  r.reasoning = "Think first.";
  return r;
}

answer_meta shown_meta() {
  auto m = meta;
  m.show_thinking = true;
  return m;
}

} // namespace

CAF_TEST(whole answers carry the thinking only when it is shown) {
  auto o = json::parse(openai_response(thoughtful(), shown_meta()));
  const auto& msg = o.at("choices").at(0).at("message");
  CAF_CHECK_EQUAL(std::string{msg.at("reasoning_content").as_string()}, "Think first.");
  CAF_CHECK_EQUAL(std::string{msg.at("content").as_string()}, "Hello there");
  auto hidden = json::parse(openai_response(thoughtful(), meta));
  CAF_CHECK(!hidden.at("choices").at(0).at("message").as_object().contains("reasoning_content"));
  auto a = json::parse(anthropic_response(thoughtful(), shown_meta()));
  const auto& content = a.at("content").as_array();
  CAF_REQUIRE_EQUAL(content.size(), 2u);
  CAF_CHECK_EQUAL(std::string{content[0].at("type").as_string()}, "thinking");
  CAF_CHECK_EQUAL(std::string{content[0].at("thinking").as_string()}, "Think first.");
  CAF_CHECK(content[0].at("signature").is_string());
  CAF_CHECK_EQUAL(std::string{content[1].at("text").as_string()}, "Hello there");
  CAF_CHECK_EQUAL(
      json::parse(anthropic_response(thoughtful(), meta)).at("content").as_array().size(), 1u);
}

CAF_TEST(an OpenAI stream relays thinking as reasoning_content before the text) {
  openai_stream s{shown_meta(), false};
  auto ev = events(s.piece(chunk{"Hi", "Hmm"}));
  CAF_REQUIRE_EQUAL(ev.size(), 2u);
  CAF_CHECK_EQUAL(
      std::string{ev[0].at("choices").at(0).at("delta").at("reasoning_content").as_string()},
      "Hmm");
  CAF_CHECK_EQUAL(std::string{ev[1].at("choices").at(0).at("delta").at("content").as_string()},
                  "Hi");
  openai_stream hidden{meta, false};
  CAF_CHECK_EQUAL(hidden.piece(chunk{"", "Hmm"}), "");
  CAF_CHECK_EQUAL(events(hidden.piece(chunk{"Hi", "Hmm"})).size(), 1u);
}

CAF_TEST(an OpenAI client gets a Claude model s signed thinking as thinking_blocks) {
  auto r = thoughtful();
  r.thoughts = {thought{.text = "Think first.", .signature = "c2ln"}, thought{.redacted = "cg=="}};
  const std::string blocks = R"([{"type":"thinking","thinking":"Think first.","signature":"c2ln"},)"
                             R"({"type":"redacted_thinking","data":"cg=="}])";
  auto o = json::parse(openai_response(r, shown_meta()));
  CAF_CHECK_EQUAL(json::serialize(o.at("choices").at(0).at("message").at("thinking_blocks")),
                  blocks);
  // Unsigned thinking (another provider's) has no blocks.
  auto plain = json::parse(openai_response(thoughtful(), shown_meta()));
  CAF_CHECK(!plain.at("choices").at(0).at("message").as_object().contains("thinking_blocks"));
  // Streamed: every block in one delta before the calls, whatever came between them (the
  // SDKs' stream helpers take a second list as a replacement, or refuse it).
  openai_stream s{shown_meta(), false};
  std::string sse = s.start();
  for (const auto& c : {chunk{.reasoning = "Think first."}, chunk{.signature = "c2"},
                        chunk{.signature = "ln"}, chunk{.text = "Hi"}, chunk{.redacted = "cg=="}})
    sse += s.piece(c);
  r.tool_calls = {tool_call{"c1", "f", "{}"}};
  sse += s.finish(r);
  std::vector<std::string> order;
  for (const auto& e : events(sse)) {
    const auto& delta = e.at("choices").at(0).at("delta").as_object();
    for (const char* key : {"reasoning_content", "thinking_blocks", "content", "tool_calls"})
      if (delta.contains(key) && !(std::string{key} == "content" && delta.at(key) == ""))
        order.push_back(key == std::string{"thinking_blocks"} ? json::serialize(delta.at(key))
                                                              : std::string{key});
  }
  CAF_CHECK_EQUAL(order,
                  (std::vector<std::string>{"reasoning_content", "content", blocks, "tool_calls"}));
  // One joined piece, and a stream without calls: the blocks still go out once, at the end.
  openai_stream joined{shown_meta(), false};
  auto end = joined.piece(chunk{.text = "Hi", .reasoning = "Hm.", .signature = "c2ln"});
  end += joined.finish(answer());
  std::size_t lists = 0;
  for (const auto& e : events(end))
    if (e.at("choices").as_array().size() == 1
        && e.at("choices").at(0).at("delta").as_object().contains("thinking_blocks"))
      ++lists;
  CAF_CHECK_EQUAL(lists, 1u);
}

CAF_TEST(an Anthropic stream puts thinking in its own block before the text) {
  anthropic_stream s{shown_meta()};
  std::vector<std::string> names;
  auto text = streamed(s, {chunk{"", "Hm"}, chunk{"", "m."}, chunk{"Hi", ""}, chunk{" there", ""}},
                       thoughtful());
  auto ev = events(text, &names);
  std::vector<std::string> expected{
      "message_start",       "content_block_start", "ping",
      "content_block_delta", "content_block_delta", "content_block_stop",
      "content_block_start", "content_block_delta", "content_block_delta",
      "content_block_stop",  "message_delta",       "message_stop"};
  CAF_CHECK_EQUAL(names, expected);
  CAF_REQUIRE_EQUAL(ev.size(), expected.size());
  CAF_CHECK_EQUAL(std::string{ev[1].at("content_block").at("type").as_string()}, "thinking");
  CAF_CHECK_EQUAL(ev[1].at("index").as_int64(), 0);
  CAF_CHECK_EQUAL(std::string{ev[3].at("delta").at("type").as_string()}, "thinking_delta");
  CAF_CHECK_EQUAL(std::string{ev[4].at("delta").at("thinking").as_string()}, "m.");
  CAF_CHECK_EQUAL(ev[5].at("index").as_int64(), 0);
  CAF_CHECK_EQUAL(std::string{ev[6].at("content_block").at("type").as_string()}, "text");
  CAF_CHECK_EQUAL(ev[6].at("index").as_int64(), 1);
  CAF_CHECK_EQUAL(std::string{ev[8].at("delta").at("text").as_string()}, " there");
  CAF_CHECK_EQUAL(ev[9].at("index").as_int64(), 1);
  anthropic_stream hidden{meta};
  CAF_CHECK_EQUAL(hidden.piece(chunk{"", "Hmm"}), "");
}

CAF_TEST(an Anthropic stream of thinking and tool calls has no empty text block) {
  auto r = thoughtful();
  r.content.clear();
  r.tool_calls = {tool_call{"toolu_1", "look", R"({"at":"x"})"}};
  anthropic_stream s{shown_meta()};
  std::vector<std::string> names;
  auto ev = events(streamed(s, {chunk{"", "Look."}}, r), &names);
  std::vector<std::string> expected{
      "message_start",       "content_block_start", "ping",
      "content_block_delta", "content_block_stop",  "content_block_start",
      "content_block_delta", "content_block_stop",  "message_delta",
      "message_stop"};
  CAF_CHECK_EQUAL(names, expected);
  CAF_REQUIRE_EQUAL(ev.size(), expected.size());
  CAF_CHECK_EQUAL(std::string{ev[5].at("content_block").at("type").as_string()}, "tool_use");
  CAF_CHECK_EQUAL(ev[5].at("index").as_int64(), 1);
  // Nothing streamed at all: the message still gets an (empty) text block.
  anthropic_stream empty{meta};
  std::vector<std::string> plain;
  events(streamed(empty, {}, answer()), &plain);
  CAF_CHECK_EQUAL(plain.size(), 6u);
}

CAF_TEST(a Claude upstreams signed thinking reaches Anthropic clients as it was signed) {
  auto r = thoughtful();
  r.thoughts = {thought{"Think first.", "sig1", {}}, thought{{}, {}, "R1"}};
  auto o = json::parse(anthropic_response(r, shown_meta()));
  const auto& content = o.at("content").as_array();
  CAF_REQUIRE_EQUAL(content.size(), 3u);
  CAF_CHECK_EQUAL(json::serialize(content[0]),
                  R"({"type":"thinking","thinking":"Think first.","signature":"sig1"})");
  CAF_CHECK_EQUAL(json::serialize(content[1]), R"({"type":"redacted_thinking","data":"R1"})");
  anthropic_stream s{shown_meta()};
  std::vector<std::string> names;
  auto ev = events(streamed(s,
                            {chunk{"", "Think first."}, chunk{"", "", "sig1", ""},
                             chunk{"", "", "", "R1"}, chunk{"Hello there", ""}},
                            r),
                   &names);
  std::vector<std::string> expected{
      "message_start",       "content_block_start", "ping",
      "content_block_delta", "content_block_delta", "content_block_stop",
      "content_block_start", "content_block_stop",  "content_block_start",
      "content_block_delta", "content_block_stop",  "message_delta",
      "message_stop"};
  CAF_CHECK_EQUAL(names, expected);
  CAF_REQUIRE_EQUAL(ev.size(), expected.size());
  CAF_CHECK_EQUAL(json::serialize(ev[4].at("delta")),
                  R"({"type":"signature_delta","signature":"sig1"})");
  CAF_CHECK_EQUAL(json::serialize(ev[6].at("content_block")),
                  R"({"type":"redacted_thinking","data":"R1"})");
  CAF_CHECK_EQUAL(ev[8].at("index").as_int64(), 2);
  // A signature without thinking text (the model did not show it) signs an empty block.
  anthropic_stream bare{shown_meta()};
  std::vector<std::string> bare_names;
  auto bare_ev =
      events(streamed(bare, {chunk{"", "", "sig2", ""}, chunk{"Hi", ""}}, r), &bare_names);
  CAF_REQUIRE_GREATER(bare_ev.size(), 4u);
  CAF_CHECK_EQUAL(std::string{bare_ev[1].at("content_block").at("type").as_string()}, "thinking");
  CAF_CHECK_EQUAL(json::serialize(bare_ev[3].at("delta")),
                  R"({"type":"signature_delta","signature":"sig2"})");
  // Not shown: neither the signature nor the redacted block goes out.
  anthropic_stream hidden{meta};
  CAF_CHECK_EQUAL(hidden.piece(chunk{"", "", "sig1", ""}) + hidden.piece(chunk{"", "", "", "R1"}),
                  "");
}

CAF_TEST(two signed thinking blocks in a row stay two blocks) {
  // Found by review: the second block's thinking and signature went into the first.
  anthropic_stream s{shown_meta()};
  std::vector<std::string> names;
  auto ev = events(streamed(s,
                            {chunk{"", "A", "sigA", ""}, chunk{"", "B"}, chunk{"", "", "sigB", ""},
                             chunk{"done", ""}},
                            answer()),
                   &names);
  std::vector<std::string> starts;
  for (const auto& e : ev)
    if (e.at("type").as_string() == "content_block_start")
      starts.push_back(std::string{e.at("content_block").at("type").as_string()});
  CAF_CHECK_EQUAL(starts, (std::vector<std::string>{"thinking", "thinking", "text"}));
  std::vector<std::pair<int64_t, std::string>> signatures;
  for (const auto& e : ev)
    if (e.at("type").as_string() == "content_block_delta"
        && e.at("delta").at("type").as_string() == "signature_delta")
      signatures.emplace_back(e.at("index").as_int64(),
                              std::string{e.at("delta").at("signature").as_string()});
  CAF_CHECK_EQUAL(signatures.size(), 2u);
  CAF_CHECK(signatures == (std::vector<std::pair<int64_t, std::string>>{{0, "sigA"}, {1, "sigB"}}));
}

CAF_TEST(a signature in parts goes out whole in one signature_delta) {
  // SDKs take each signature_delta as the whole signature; an upstream's may come in parts.
  anthropic_stream s{shown_meta()};
  auto ev = events(streamed(
      s, {chunk{"", "Hm.", "si", ""}, chunk{"", "", "g1", ""}, chunk{"Hi", ""}}, thoughtful()));
  std::vector<std::string> signatures;
  for (const auto& e : ev)
    if (e.at("type").as_string() == "content_block_delta"
        && e.at("delta").at("type").as_string() == "signature_delta")
      signatures.emplace_back(e.at("delta").at("signature").as_string());
  CAF_CHECK_EQUAL(signatures, std::vector<std::string>{"sig1"});
}
