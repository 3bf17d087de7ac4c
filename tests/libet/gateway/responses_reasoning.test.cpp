#define CAF_SUITE libet.gateway.responses_reasoning
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "et/gateway/detail/reasoning.hpp"
#include "et/gateway/renderer.hpp"
#include "et/gateway/request.hpp"
#include "et/gateway/responses.hpp"
#include "et/util/encode.hpp"
#include "refusals.hpp"
#include "render_support.hpp"

// Reasoning items for Responses clients (Codex): the model's thinking shown as a summary when
// asked, its signed thoughts sealed into encrypted_content when asked, and read back from the
// next request onto the assistant turn they belong to, so a Claude model's tool loop goes on
// thinking.

using namespace et;
using namespace et::gateway;
using et::gateway::detail::seal_thoughts;
using et::gateway::detail::thought_collector;
using et::gateway::detail::unseal_thoughts;
using et::gateway::test::named_events;
using et::gateway::test::refused;
namespace json = boost::json;

namespace {

const thought signed_one{.text = "Weighing it.", .signature = "c2ln"};
const thought blank_signed{.text = "", .signature = "c2lnMg=="}; // a model that hid its text
const thought redacted_one{.redacted = "b3BhcXVl"};

// A Responses body whose input is `items` (JSON array members), with `extra` members.
std::string body(const std::string& items, const std::string& extra = "") {
  return R"({"model":"m","input":[)" + items + "]" + extra + "}";
}

std::string reasoning(const std::string& content) {
  return R"({"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":)"
         + json::serialize(json::value(content)) + "}";
}

const std::string user = R"({"role":"user","content":"fix it"})";
const std::string said = R"({"type":"message","role":"assistant","content":"Looking."})";
const std::string call = R"({"type":"function_call","call_id":"c1","name":"sh","arguments":"{}"})";
const std::string output = R"({"type":"function_call_output","call_id":"c1","output":"ok"})";

answer_meta meta(bool show, bool carry) {
  answer_meta m{"resp_x", "m", 0, show, {}, carry};
  return m;
}

std::vector<thought> unsealed(const json::value& content) {
  auto t = unseal_thoughts(std::string{content.as_string()}, "f");
  if (!t || !*t)
    return {};
  return **t;
}

} // namespace

CAF_TEST(sealed thoughts read back as they were) {
  std::vector<thought> all{signed_one, blank_signed, redacted_one};
  auto sealed = seal_thoughts(all);
  CAF_CHECK(sealed.starts_with(detail::sealed_prefix));
  auto back = unseal_thoughts(sealed, "f");
  CAF_REQUIRE(back && *back);
  CAF_CHECK_EQUAL(**back, all);
  // Reasoning that is not et's (OpenAI's own) is no error: it has nothing for et.
  auto foreign = unseal_thoughts("gAAAAABoZ", "f");
  CAF_REQUIRE(foreign);
  CAF_CHECK(!*foreign);
}

CAF_TEST(a broken seal is refused naming the item) {
  std::string prefix{detail::sealed_prefix};
  auto seal_of = [&](const std::string& json_text) { return prefix + base64(json_text); };
  auto refusal = [&](const std::string& content) {
    return refused(parse_responses_request(body(user + "," + reasoning(content) + "," + said)));
  };
  std::string field = "input[1].encrypted_content";
  CAF_CHECK_EQUAL(refusal(prefix + "not*base64"), field);
  CAF_CHECK_EQUAL(refusal(seal_of(R"({"thinking":"a"})")), field);
  CAF_CHECK_EQUAL(refusal(seal_of("[1]")), field);
  CAF_CHECK_EQUAL(refusal(seal_of(R"([{"thinking":"unsigned"}])")), field);
  CAF_CHECK_EQUAL(refusal(seal_of(R"([{"thinking":"a","signature":"s","redacted":"r"}])")), field);
  CAF_CHECK_EQUAL(refusal(seal_of(R"([{"redacted":"r","thinking":"a"}])")), field);
  CAF_CHECK_EQUAL(refusal(seal_of(R"([{"signature":7}])")), field);
  CAF_CHECK_EQUAL(refusal(seal_of(R"([{"signature":"s","tool":"x"}])")), field);
  // Base64 as et writes it: text after the padding, or a short last group, is not et's seal.
  CAF_CHECK_EQUAL(refusal(prefix + base64("[]") + "W10="), field);
  CAF_CHECK_EQUAL(refusal(prefix + base64("[]") + "x"), field);
  CAF_CHECK_EQUAL(refusal(prefix + base64("[]").substr(0, 3)), field);
  std::vector<thought> too_many(detail::max_sealed_thoughts + 1, redacted_one);
  CAF_CHECK_EQUAL(refusal(seal_thoughts(too_many)), field);
  // As many as an answer may carry is fine; more in one turn is not, however they come: in
  // several items before it, or before each of its calls.
  auto half = reasoning(
      seal_thoughts(std::vector<thought>(detail::max_sealed_thoughts / 2 + 1, redacted_one)));
  CAF_CHECK(parse_responses_request(body(user + "," + half + "," + said)));
  CAF_CHECK_EQUAL(
      refused(parse_responses_request(body(user + "," + half + "," + half + "," + said))),
      "input[3]");
  CAF_CHECK_EQUAL(refused(parse_responses_request(
                      body(user + "," + half + "," + call + "," + half + "," + call))),
                  "input[4]");
  // And the conversation holds at most two a message's bound.
  limits few;
  few.max_messages = 4;
  auto five = reasoning(seal_thoughts(std::vector<thought>(5, redacted_one)));
  auto turn = "," + five + "," + said + "," + user;
  CAF_CHECK_EQUAL(refused(parse_responses_request(body(user + turn), few)), "ok");
  CAF_CHECK_EQUAL(refused(parse_responses_request(body(user + turn + turn), few)), "input[4]");
  // The content itself is bounded like any string.
  limits small;
  small.max_string_bytes = 64;
  CAF_CHECK_EQUAL(
      refused(parse_responses_request(
          body(user + "," + reasoning(seal_thoughts({signed_one, signed_one, signed_one})) + ","
               + said),
          small)),
      field);
}

CAF_TEST(sealed thinking goes back with the assistant turn after it) {
  auto sealed = reasoning(seal_thoughts({signed_one}));
  auto r =
      parse_responses_request(body(user + "," + sealed + "," + said + "," + call + "," + output));
  CAF_REQUIRE(r);
  const auto& m = r->request.messages;
  CAF_REQUIRE_EQUAL(m.size(), 3u);
  CAF_CHECK(m[1].who == role::assistant);
  CAF_CHECK_EQUAL(m[1].thoughts, std::vector<thought>{signed_one});
  CAF_CHECK_EQUAL(m[1].tool_calls.size(), 1u);
  // Thinking before the calls of a turn without text, and thinking again before its calls.
  auto calls_only = parse_responses_request(body(user + "," + sealed + "," + call));
  CAF_REQUIRE(calls_only);
  CAF_CHECK_EQUAL(calls_only->request.messages[1].thoughts, std::vector<thought>{signed_one});
  auto twice =
      parse_responses_request(body(user + "," + sealed + "," + said + ","
                                   + reasoning(seal_thoughts({redacted_one})) + "," + call));
  CAF_REQUIRE(twice);
  CAF_REQUIRE_EQUAL(twice->request.messages.size(), 2u);
  CAF_CHECK_EQUAL(twice->request.messages[1].thoughts,
                  (std::vector<thought>{signed_one, redacted_one}));
  // Thinking with no assistant turn after it has none to go with; foreign reasoning adds none.
  auto stray = parse_responses_request(body(user + "," + sealed + "," + user));
  CAF_REQUIRE(stray);
  for (const auto& turn : stray->request.messages)
    CAF_CHECK(turn.thoughts.empty());
  auto foreign = parse_responses_request(body(user + "," + reasoning("gAAAA") + "," + said));
  CAF_REQUIRE(foreign);
  CAF_CHECK(foreign->request.messages[1].thoughts.empty());
  // Thinking before a tool's output belongs to no turn: not to the calls after the output.
  auto before_output =
      parse_responses_request(body(user + "," + call + "," + sealed + "," + output + "," + call));
  CAF_REQUIRE(before_output);
  for (const auto& turn : before_output->request.messages)
    CAF_CHECK(turn.thoughts.empty());
}

CAF_TEST(include and the reasoning summary decide what a reasoning item shows) {
  auto parsed = [](const std::string& extra) { return parse_responses_request(body(user, extra)); };
  // "show carry" as decoded, or the field a refusal names.
  auto flags = [&](const std::string& extra) {
    auto r = parsed(extra);
    if (!r)
      return "refused " + refused(r);
    return std::string{r->show_thinking ? "show" : "-"} + (r->carry_thoughts ? " carry" : " -");
  };
  CAF_CHECK_EQUAL(flags(""), "- -");
  CAF_CHECK_EQUAL(
      flags(R"(,"include":["message.output_text.logprobs","reasoning.encrypted_content"],)"
            R"("reasoning":{"effort":"low","summary":"auto"})"),
      "show carry");
  CAF_CHECK_EQUAL(flags(R"(,"include":["reasoning.encrypted_content"])"), "- carry");
  for (std::string word : {"concise", "detailed"})
    CAF_CHECK_EQUAL(flags(R"(,"reasoning":{"summary":")" + word + R"("})"), "show -");
  CAF_CHECK_EQUAL(flags(R"(,"reasoning":{"generate_summary":"auto"})"), "show -");
  CAF_CHECK_EQUAL(flags(R"(,"reasoning":{"summary":"none"})"), "- -");
  CAF_CHECK_EQUAL(flags(R"(,"reasoning":{"summary":null},"include":null)"), "- -");
  // The current name wins over the deprecated one, in whichever order they come.
  CAF_CHECK_EQUAL(flags(R"(,"reasoning":{"summary":"none","generate_summary":"auto"})"), "- -");
  CAF_CHECK_EQUAL(flags(R"(,"reasoning":{"generate_summary":"none","summary":"auto"})"), "show -");
  CAF_CHECK_EQUAL(flags(R"(,"reasoning":{"generate_summary":7})"),
                  "refused reasoning.generate_summary");
  CAF_CHECK_EQUAL(refused(parsed(R"(,"reasoning":{"summary":"all"})")), "reasoning.summary");
  CAF_CHECK_EQUAL(refused(parsed(R"(,"include":"reasoning.encrypted_content")")), "include");
  CAF_CHECK_EQUAL(refused(parsed(R"(,"include":[7])")), "include[0]");
  CAF_CHECK_EQUAL(refused(parsed(R"(,"include":[")" + std::string(129, 'a') + R"("])")),
                  "include[0]");
  std::string many = R"(,"include":[)";
  for (int i = 0; i < 33; ++i)
    many += std::string{i ? "," : ""} + R"("x")";
  CAF_CHECK_EQUAL(refused(parsed(many + "]")), "include");
}

CAF_TEST(a whole answer puts its reasoning item first) {
  chat_response r;
  r.reasoning = "Weighing it.";
  r.thoughts = {signed_one};
  r.content = "Done.";
  auto output_of = [&](const answer_meta& m) {
    return json::parse(responses_response(r, m)).at("output").as_array();
  };
  CAF_CHECK_EQUAL(output_of(meta(false, false)).size(), 1u); // the message alone
  auto both = output_of(meta(true, true));
  CAF_REQUIRE_EQUAL(both.size(), 2u);
  CAF_CHECK_EQUAL(both[0].at("type").as_string(), "reasoning");
  CAF_CHECK_EQUAL(both[0].at("id").as_string(), "rs_resp_x");
  CAF_CHECK_EQUAL(json::serialize(both[0].at("summary")),
                  R"([{"type":"summary_text","text":"Weighing it."}])");
  CAF_CHECK_EQUAL(unsealed(both[0].at("encrypted_content")), r.thoughts);
  CAF_CHECK_EQUAL(both[1].at("type").as_string(), "message");
  auto summary_only = output_of(meta(true, false));
  CAF_CHECK(!summary_only[0].as_object().contains("encrypted_content"));
  auto sealed_only = output_of(meta(false, true));
  CAF_CHECK(sealed_only[0].at("summary").as_array().empty());
  CAF_CHECK_EQUAL(unsealed(sealed_only[0].at("encrypted_content")), r.thoughts);
  // Unsigned thinking has nothing to seal: shown, or no item at all.
  r.thoughts.clear();
  CAF_CHECK_EQUAL(output_of(meta(false, true)).size(), 1u);
  CAF_CHECK(output_of(meta(true, true))[0].at("encrypted_content").is_null());
}

CAF_TEST(a stream thinks in a reasoning item that closes when the text begins) {
  renderer out{surface::responses, meta(true, true), false};
  auto first = out.piece(chunk{.reasoning = "Weigh"});
  auto sse = out.start() + first;
  sse += out.piece(chunk{.reasoning = "ing it.", .signature = "c2"});
  sse += out.piece(chunk{.signature = "ln"}); // a signature in parts
  sse += out.piece(chunk{.redacted = "b3BhcXVl"});
  sse += out.piece(chunk{.text = "Done."});
  chat_response r;
  r.content = "Done.";
  r.tool_calls = {tool_call{"c9", "sh", "{}"}};
  sse += out.finish(r);
  auto evs = named_events(sse);
  std::vector<std::string> names;
  for (size_t i = 0; i < evs.size(); ++i) {
    names.push_back(evs[i].first);
    CAF_CHECK_EQUAL(evs[i].second.at("sequence_number").as_int64(), static_cast<int64_t>(i));
  }
  std::vector<std::string> expected{"response.created",
                                    "response.in_progress",
                                    "response.output_item.added", // reasoning, index 0
                                    "response.reasoning_summary_part.added",
                                    "response.reasoning_summary_text.delta",
                                    "response.reasoning_summary_text.delta",
                                    "response.reasoning_summary_text.done",
                                    "response.reasoning_summary_part.done",
                                    "response.output_item.done",
                                    "response.output_item.added", // message, index 1
                                    "response.content_part.added",
                                    "response.output_text.delta",
                                    "response.output_text.done",
                                    "response.content_part.done",
                                    "response.output_item.done",
                                    "response.output_item.added", // call, index 2
                                    "response.function_call_arguments.delta",
                                    "response.function_call_arguments.done",
                                    "response.output_item.done",
                                    "response.completed"};
  CAF_CHECK_EQUAL(names, expected);
  CAF_CHECK_EQUAL(evs[2].second.at("item").at("type").as_string(), "reasoning");
  CAF_CHECK_EQUAL(evs[6].second.at("text").as_string(), "Weighing it.");
  const auto& reasoned = evs[8].second.at("item");
  CAF_CHECK_EQUAL(evs[8].second.at("output_index").as_int64(), 0);
  CAF_CHECK_EQUAL(
      unsealed(reasoned.at("encrypted_content")),
      (std::vector<thought>{{.text = "Weighing it.", .signature = "c2ln"}, redacted_one}));
  CAF_CHECK_EQUAL(evs[11].second.at("output_index").as_int64(), 1);
  CAF_CHECK_EQUAL(evs[15].second.at("output_index").as_int64(), 2);
  // The completed response lists the same items in the same order.
  const auto& output = evs.back().second.at("response").at("output").as_array();
  CAF_REQUIRE_EQUAL(output.size(), 3u);
  CAF_CHECK_EQUAL(output[0], reasoned);
  CAF_CHECK_EQUAL(output[1].at("type").as_string(), "message");
  CAF_CHECK_EQUAL(output[2].at("type").as_string(), "function_call");
}

CAF_TEST(thinking after the text is an item of its own before the calls) {
  renderer out{surface::responses, meta(true, true), false};
  auto sse = out.start() + out.piece(chunk{.text = "Let me look."});
  sse += out.piece(chunk{.reasoning = "Now the shell.", .signature = "c2ln"});
  chat_response r;
  r.content = "Let me look.";
  r.tool_calls = {tool_call{"c9", "sh", "{}"}};
  sse += out.finish(r);
  auto evs = named_events(sse);
  const auto& output = evs.back().second.at("response").at("output").as_array();
  CAF_REQUIRE_EQUAL(output.size(), 3u);
  CAF_CHECK_EQUAL(output[0].at("type").as_string(), "message");
  CAF_CHECK_EQUAL(output[1].at("type").as_string(), "reasoning");
  CAF_CHECK_EQUAL(output[1].at("id").as_string(), "rs_resp_x");
  CAF_CHECK_EQUAL(output[1].at("summary").at(0).at("text").as_string(), "Now the shell.");
  CAF_CHECK_EQUAL(unsealed(output[1].at("encrypted_content")),
                  (std::vector<thought>{{.text = "Now the shell.", .signature = "c2ln"}}));
  CAF_CHECK_EQUAL(output[2].at("type").as_string(), "function_call");
  int64_t index = -1;
  for (const auto& [name, data] : evs)
    if (name == "response.output_item.added") {
      CAF_CHECK_EQUAL(data.at("output_index").as_int64(), index + 1);
      index = data.at("output_index").as_int64();
    }
  CAF_CHECK_EQUAL(index, 2);
}

CAF_TEST(streams of thinking alone or before calls only are told right) {
  // (types of the completed output, summary of its first item, the sealed thoughts)
  auto told = [](const answer_meta& m, const std::vector<chunk>& pieces, chat_response r) {
    renderer out{surface::responses, m, false};
    auto sse = out.start();
    for (const auto& c : pieces)
      sse += out.piece(c);
    sse += out.finish(r);
    auto evs = named_events(sse);
    std::string types;
    json::array done;
    for (const auto& [name, data] : evs)
      if (name == "response.output_item.done")
        done.push_back(data.at("item"));
    const auto& output = evs.back().second.at("response").at("output").as_array();
    CAF_CHECK(output == done); // the completed response lists what was done, in order
    for (const auto& item : output)
      types += std::string{item.at("type").as_string()} + " ";
    return std::make_pair(types, output);
  };
  chat_response calls;
  calls.tool_calls = {tool_call{"c9", "sh", "{}"}};
  // One piece with all of it, as pieces that arrived together are joined.
  auto [joined, joined_items] =
      told(meta(true, true), {chunk{.text = "Done.", .reasoning = "Hm.", .signature = "c2ln"}},
           chat_response{});
  CAF_CHECK_EQUAL(joined, "reasoning message ");
  CAF_CHECK_EQUAL(joined_items[0].at("summary").at(0).at("text").as_string(), "Hm.");
  CAF_CHECK_EQUAL(unsealed(joined_items[0].at("encrypted_content")),
                  (std::vector<thought>{{.text = "Hm.", .signature = "c2ln"}}));
  CAF_CHECK_EQUAL(joined_items[1].at("content").at(0).at("text").as_string(), "Done.");
  // Thinking and nothing else: the reasoning item, then the (empty) message.
  auto [alone, alone_items] = told(meta(true, false), {chunk{.reasoning = "Hm."}}, {});
  CAF_CHECK_EQUAL(alone, "reasoning message ");
  // Signed thinking before calls, for a client that carries it and shows no summary.
  auto [carried, carried_items] =
      told(meta(false, true), {chunk{.reasoning = "Hm.", .signature = "c2ln"}}, calls);
  CAF_CHECK_EQUAL(carried, "reasoning function_call ");
  CAF_CHECK(carried_items[0].at("summary").as_array().empty());
  CAF_CHECK_EQUAL(unsealed(carried_items[0].at("encrypted_content")),
                  (std::vector<thought>{{.text = "Hm.", .signature = "c2ln"}}));
  // A model that hid its thinking still signs it: carried, with nothing to show.
  auto [hidden, hidden_items] = told(meta(true, true), {chunk{.signature = "c2ln"}}, calls);
  CAF_CHECK_EQUAL(hidden, "reasoning function_call ");
  CAF_CHECK(hidden_items[0].at("summary").as_array().empty());
  // Unsigned thinking to a client that only carries: nothing to carry, no item.
  auto [unsigned_only, unsigned_items] =
      told(meta(false, true), {chunk{.reasoning = "Hm."}}, calls);
  CAF_CHECK_EQUAL(unsigned_only, "function_call ");
}

CAF_TEST(a client that asked for neither sees no reasoning item) {
  renderer out{surface::responses, meta(false, false), false};
  auto sse = out.start() + out.piece(chunk{.reasoning = "Hm.", .signature = "c2ln"});
  sse += out.piece(chunk{.text = "Done."});
  chat_response r;
  r.content = "Done.";
  sse += out.finish(r);
  for (const auto& [name, data] : named_events(sse)) {
    CAF_CHECK(name.find("reasoning") == std::string::npos);
    if (name == "response.output_item.added")
      CAF_CHECK_EQUAL(data.at("output_index").as_int64(), 0);
  }
}

CAF_TEST(a collector keeps the signed thoughts in order) {
  thought_collector c;
  c.add(chunk{.reasoning = "unsigned "}); // a server that does not sign: not kept
  c.add(chunk{.text = "x"});
  c.add(chunk{.reasoning = "one", .signature = "s1"});
  c.add(chunk{.reasoning = "two"}); // a new block after a signed one
  c.add(chunk{.signature = "s2a"});
  c.add(chunk{.signature = "s2b"});
  c.add(chunk{.redacted = "r"});
  auto first = c.take();
  CAF_CHECK_EQUAL(first, (std::vector<thought>{{.text = "one", .signature = "s1"},
                                               {.text = "two", .signature = "s2as2b"},
                                               {.redacted = "r"}}));
  CAF_CHECK(c.take().empty());
  c.add(chunk{.signature = "s3"}); // signed, its text hidden
  CAF_CHECK_EQUAL(c.take(), (std::vector<thought>{{.text = "", .signature = "s3"}}));
}
