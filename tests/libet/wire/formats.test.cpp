#define CAF_SUITE libet.wire.formats
#include "caf/test/unit_test.hpp"

#include "wire_test_support.hpp"

// The shape an answer must take (chat_request::format), as each protocol documents it:
// OpenAI response_format, Ollama format, Gemini responseMimeType/responseJsonSchema, Anthropic
// output_config.format; what a protocol cannot say is refused, never dropped.

using namespace et;
using namespace et::wire;
using et::wire::test::name;
namespace json = boost::json;

namespace {

constexpr const char* schema_text = R"({"type":"object","properties":{"city":{"type":"string"}}})";

chat_request asking(answer_format::shape kind, std::string schema = schema_text) {
  chat_request r;
  r.model = "m";
  r.messages.push_back(message{role::user, "where?", {}, {}, {}});
  r.format.kind = kind;
  if (kind == answer_format::shape::json_schema) {
    r.format.name = "place";
    r.format.schema = std::move(schema);
    r.format.strict = true;
  }
  return r;
}

json::object body_of(config::provider_type type, const chat_request& r) {
  auto out = make_codec(test::make_provider(type, "sk-test-secret-0123456789"))->chat(r, false);
  CAF_REQUIRE(out);
  return json::parse(out->body).as_object();
}

failure refusal_of(config::provider_type type, const chat_request& r) {
  auto out = make_codec(test::make_provider(type, "sk-test-secret-0123456789"))->chat(r, true);
  CAF_REQUIRE(!out);
  return out.error();
}

const json::value schema = json::parse(schema_text);

} // namespace

CAF_TEST(openai passes response_format as given) {
  using enum config::provider_type;
  auto object = body_of(openai, asking(answer_format::shape::json_object));
  CAF_CHECK_EQUAL(json::serialize(object.at("response_format")), R"({"type":"json_object"})");
  auto shaped = body_of(openai, asking(answer_format::shape::json_schema));
  const auto& f = shaped.at("response_format").as_object();
  CAF_CHECK_EQUAL(f.at("type").as_string(), "json_schema");
  CAF_CHECK_EQUAL(f.at("json_schema").at("name").as_string(), "place");
  CAF_CHECK(f.at("json_schema").at("schema") == schema);
  CAF_CHECK_EQUAL(f.at("json_schema").at("strict").as_bool(), true);
  CAF_CHECK(!body_of(openai, asking(answer_format::shape::text)).contains("response_format"));
}

CAF_TEST(ollama says json or the schema in format) {
  using enum config::provider_type;
  CAF_CHECK_EQUAL(body_of(ollama, asking(answer_format::shape::json_object)).at("format"), "json");
  CAF_CHECK(body_of(ollama, asking(answer_format::shape::json_schema)).at("format") == schema);
  CAF_CHECK(!body_of(ollama, asking(answer_format::shape::text)).contains("format"));
}

CAF_TEST(gemini asks for application json with the schema in its generation config) {
  using enum config::provider_type;
  auto object = body_of(gemini, asking(answer_format::shape::json_object));
  CAF_CHECK_EQUAL(object.at("generationConfig").at("responseMimeType"), "application/json");
  CAF_CHECK(!object.at("generationConfig").as_object().contains("responseJsonSchema"));
  auto r = asking(answer_format::shape::json_schema);
  r.max_tokens = 20; // the generation config keeps what it had
  auto shaped = body_of(gemini, r);
  CAF_CHECK(shaped.at("generationConfig").at("responseJsonSchema") == schema);
  CAF_CHECK_EQUAL(shaped.at("generationConfig").at("maxOutputTokens"), 20);
  CAF_CHECK_EQUAL(name(refusal_of(gemini, asking(answer_format::shape::json_schema, "")).code),
                  name(errc::unsupported));
}

CAF_TEST(anthropic takes a schema in output_config and refuses json_object) {
  using enum config::provider_type;
  auto shaped = body_of(anthropic, asking(answer_format::shape::json_schema));
  CAF_CHECK_EQUAL(shaped.at("output_config").at("format").at("type"), "json_schema");
  CAF_CHECK(shaped.at("output_config").at("format").at("schema") == schema);
  auto refused = refusal_of(anthropic, asking(answer_format::shape::json_object));
  CAF_CHECK_EQUAL(name(refused.code), name(errc::unsupported));
  CAF_CHECK(refused.message.find("json_schema") != std::string::npos);
  CAF_CHECK(!body_of(anthropic, asking(answer_format::shape::text)).contains("output_config"));
}

// A request may come from a node's peer: a schema that is not a JSON object is refused by every
// protocol instead of being sent on or dropped, as a bad request (it says nothing about the
// deployment, so it does not count towards its cooldown).
CAF_TEST(a schema that is not a JSON object is refused everywhere) {
  using enum config::provider_type;
  for (auto type : {openai, ollama, gemini, anthropic})
    for (const char* bad : {"[1,2]", "{\"unterminated\": ", "\"text\"", "nul\x01"})
      CAF_CHECK_EQUAL(
          name(refusal_of(type, asking(answer_format::shape::json_schema, bad)).code),
          name(errc::bad_request)); // the request's fault: no cooldown for the deployment
}
