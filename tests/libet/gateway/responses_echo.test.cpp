#define CAF_SUITE libet.gateway.responses_echo
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "et/gateway/renderer.hpp"
#include "et/gateway/request.hpp"
#include "et/gateway/responses.hpp"
#include "render_support.hpp"

// A Responses answer repeats what its request set, as OpenAI's response object does: whole
// and in a stream's first and last events, in OpenAI's shapes, within a bound (a held stream
// keeps them to its end).

using namespace et;
using namespace et::gateway;
using et::gateway::test::answer_with_call;
using et::gateway::test::named_events;
namespace json = boost::json;

namespace {

// A turn that sets what a response repeats, and what it does not (store, include, the cache
// key, the input itself).
const char* settings_turn = R"({"model":"coder","instructions":"You are a coding agent.",
  "input":[{"role":"user","content":"list files"}],
  "tools":[{"type":"function","name":"shell","description":"run","strict":false,
            "parameters":{"type":"object","properties":{"cmd":{"type":"array"}}}}],
  "tool_choice":"auto","parallel_tool_calls":true,"reasoning":{"effort":"high","summary":"auto"},
  "store":true,"stream":true,"include":["reasoning.encrypted_content"],"prompt_cache_key":"k",
  "text":{"verbosity":"low"},"max_output_tokens":900})";

// The settings a response object repeats of the request `body`.
std::shared_ptr<const std::string> echo_of(const std::string& body) {
  auto parsed = parse_responses_request(body);
  CAF_REQUIRE(parsed);
  return std::make_shared<const std::string>(parsed->echo);
}

} // namespace

CAF_TEST(the response object repeats what the request set) {
  answer_meta meta{"resp_et3", "coder", 0, false, {}, false, echo_of(settings_turn)};
  auto o = json::parse(responses_response(answer_with_call(), meta)).as_object();
  CAF_CHECK_EQUAL(o.at("instructions").as_string(), "You are a coding agent.");
  CAF_REQUIRE_EQUAL(o.at("tools").as_array().size(), 1u);
  CAF_CHECK_EQUAL(o.at("tools").at(0).at("name").as_string(), "shell");
  CAF_CHECK_EQUAL(o.at("reasoning").at("effort").as_string(), "high");
  CAF_CHECK_EQUAL(o.at("max_output_tokens").as_int64(), 900);
  CAF_CHECK_EQUAL(o.at("text").at("verbosity").as_string(), "low");
  CAF_CHECK(!o.at("store").as_bool()); // nothing is stored, whatever the request says
  CAF_CHECK_EQUAL(o.at("truncation").as_string(), "disabled");
  CAF_CHECK(!o.contains("prompt_cache_key") && !o.contains("include") && !o.contains("input"));
  // A stream's first and last events carry the same object.
  renderer r{surface::responses, meta, false};
  auto evs = named_events(r.start() + r.finish(answer_with_call()));
  CAF_REQUIRE(!evs.empty());
  CAF_CHECK_EQUAL(evs.front().second.at("response").at("instructions").as_string(),
                  "You are a coding agent.");
  CAF_CHECK_EQUAL(evs.back().second.at("response").at("max_output_tokens").as_int64(), 900);
  // Unset: OpenAI's defaults.
  auto bare = json::parse(responses_response(answer_with_call(), {"resp_et4", "coder", 0, false}))
                  .as_object();
  CAF_CHECK(bare.at("instructions").is_null());
  CAF_CHECK(bare.at("tools").as_array().empty());
  CAF_CHECK_EQUAL(bare.at("tool_choice").as_string(), "auto");
  CAF_CHECK(bare.at("max_output_tokens").is_null());
  CAF_CHECK_EQUAL(bare.at("text").at("format").at("type").as_string(), "text");
  CAF_CHECK(bare.at("reasoning").at("effort").is_null());
}

CAF_TEST(the repeated settings are bounded and only in the shapes OpenAI gives them) {
  auto respond = [](const std::string& body) {
    answer_meta meta{"resp_et5", "m", 0, false, {}, false, echo_of(body)};
    return json::parse(responses_response(answer_with_call(), meta)).as_object();
  };
  // A stream holds them to its end: past 256 KiB the instructions go (tools would go first).
  auto cut = respond(R"({"model":"m","input":"hi","max_output_tokens":50,"instructions":")"
                     + std::string(300'000, 'x') + "\"}");
  CAF_CHECK(cut.at("instructions").is_null());
  CAF_CHECK_EQUAL(cut.at("max_output_tokens").as_int64(), 50);
  // Whatever field carries the bulk (here reasoning's unchecked context), the bound holds.
  auto parsed = parse_responses_request(R"({"model":"m","input":"hi","reasoning":{"context":")"
                                        + std::string(300'000, 'x') + "\"}}");
  CAF_REQUIRE(parsed);
  CAF_CHECK_LESS(parsed->echo.size(), 1024u);
  // A setting given in part keeps OpenAI's defaults for the rest.
  auto low = respond(R"({"model":"m","input":"hi","text":{"verbosity":"low"}})");
  CAF_CHECK_EQUAL(low.at("text").at("verbosity").as_string(), "low");
  CAF_CHECK_EQUAL(low.at("text").at("format").at("type").as_string(), "text");
  // Null is OpenAI's default; metadata and truncation only as OpenAI takes them.
  auto odd = respond(R"({"model":"m","input":"hi","parallel_tool_calls":null,)"
                     R"("metadata":{"run":[1,2]},"truncation":"sideways"})");
  CAF_CHECK(odd.at("parallel_tool_calls").as_bool());
  CAF_CHECK(odd.at("metadata").as_object().empty());
  CAF_CHECK_EQUAL(odd.at("truncation").as_string(), "disabled");
  auto plain = respond(R"({"model":"m","input":"hi","metadata":{"run":"r1"},"truncation":"auto"})");
  CAF_CHECK_EQUAL(plain.at("metadata").at("run").as_string(), "r1");
  CAF_CHECK_EQUAL(plain.at("truncation").as_string(), "auto");
}
