#define CAF_SUITE libet.wire.embed
#include "caf/test/unit_test.hpp"

#include "wire_test_support.hpp"

// The three embedding endpoints: the request each codec builds, and the answers
// it accepts or refuses. Bodies are written from the providers' documentation
// (no embedding responses are among the shared fixtures).

using namespace et;
using namespace et::wire;
using et::wire::test::header;
using et::wire::test::name;
namespace json = boost::json;

namespace {

embed_request two_texts(std::string model = "m") {
  return embed_request{std::move(model), {"alpha beta", "gamma"}};
}

std::unique_ptr<codec> codec_of(config::provider_type t) {
  return make_codec(test::make_provider(t));
}

// The error class of decoding `body` for two inputs with protocol `t`, "ok" on success.
std::string verdict(config::provider_type t, std::string_view body) {
  auto r = codec_of(t)->decode_embed(body, two_texts());
  return r ? "ok" : name(r.error().code);
}

// The message of a refused body.
std::string message(config::provider_type t, std::string_view body) {
  auto r = codec_of(t)->decode_embed(body, two_texts());
  return r ? "" : r.error().message;
}

constexpr auto openai = config::provider_type::openai;
constexpr auto ollama = config::provider_type::ollama;
constexpr auto gemini = config::provider_type::gemini;

} // namespace

CAF_TEST(openai embeddings request and answer) {
  auto req = codec_of(openai)->embed(two_texts("text-embedding-3-small"));
  CAF_REQUIRE(req.has_value());
  CAF_CHECK_EQUAL(req->method, "POST");
  CAF_CHECK_EQUAL(req->target, "/v1/embeddings");
  CAF_CHECK_EQUAL(header(*req, "Authorization"), "Bearer sk-test-secret-0123456789");
  auto body = json::parse(req->body).as_object();
  CAF_CHECK_EQUAL(json::value_to<std::string>(body.at("model")), "text-embedding-3-small");
  CAF_CHECK_EQUAL(body.at("input").as_array().size(), 2u);
  CAF_CHECK_EQUAL(json::value_to<std::string>(body.at("input").as_array()[1]), "gamma");
  CAF_CHECK_EQUAL(json::value_to<std::string>(body.at("encoding_format")), "float");
  // Out of order by index, as the API allows: vectors land by index.
  auto r = codec_of(openai)->decode_embed(
      R"({"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.5,-1]},)"
      R"({"object":"embedding","index":0,"embedding":[1,0.25]}],"model":"text-embedding-3-small",)"
      R"("usage":{"prompt_tokens":3,"total_tokens":3}})",
      two_texts());
  CAF_REQUIRE(r.has_value());
  CAF_REQUIRE_EQUAL(r->vectors.size(), 2u);
  CAF_CHECK_EQUAL(r->vectors[0], (std::vector<float>{1.0f, 0.25f}));
  CAF_CHECK_EQUAL(r->vectors[1], (std::vector<float>{0.5f, -1.0f}));
  CAF_CHECK_EQUAL(r->tokens.prompt_tokens, 3);
  CAF_CHECK_EQUAL(r->model, "text-embedding-3-small");
}

CAF_TEST(ollama embed request and answer) {
  auto req = codec_of(ollama)->embed(two_texts("nomic-embed-text"));
  CAF_REQUIRE(req.has_value());
  CAF_CHECK_EQUAL(req->target, "/api/embed");
  auto body = json::parse(req->body).as_object();
  CAF_CHECK_EQUAL(json::value_to<std::string>(body.at("model")), "nomic-embed-text");
  CAF_CHECK_EQUAL(body.at("input").as_array().size(), 2u);
  auto r = codec_of(ollama)->decode_embed(
      R"({"model":"nomic-embed-text","embeddings":[[0.1,0.2,0.3],[0,1,0]],)"
      R"("total_duration":14143917,"load_duration":1019500,"prompt_eval_count":8})",
      two_texts());
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->vectors.size(), 2u);
  CAF_CHECK_EQUAL(r->vectors[1], (std::vector<float>{0.0f, 1.0f, 0.0f}));
  CAF_CHECK_EQUAL(r->tokens.prompt_tokens, 8);
}

CAF_TEST(gemini batchEmbedContents request and answer) {
  auto req = codec_of(gemini)->embed(two_texts("models/gemini-embedding-001"));
  CAF_REQUIRE(req.has_value());
  CAF_CHECK_EQUAL(req->target, "/v1beta/models/gemini-embedding-001:batchEmbedContents");
  CAF_CHECK_EQUAL(header(*req, "x-goog-api-key"), "sk-test-secret-0123456789");
  auto body = json::parse(req->body).as_object();
  const auto& requests = body.at("requests").as_array();
  CAF_REQUIRE_EQUAL(requests.size(), 2u);
  const auto& first = requests[0].as_object();
  CAF_CHECK_EQUAL(json::value_to<std::string>(first.at("model")), "models/gemini-embedding-001");
  CAF_CHECK_EQUAL(
      json::value_to<std::string>(
          first.at("content").as_object().at("parts").as_array()[0].as_object().at("text")),
      "alpha beta");
  auto r = codec_of(gemini)->decode_embed(
      R"({"embeddings":[{"values":[0.25,0.5]},{"values":[-0.5,1e-3]}]})", two_texts());
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->vectors[0], (std::vector<float>{0.25f, 0.5f}));
  // Gemini reports no usage: the count is estimated from the input bytes.
  CAF_CHECK_GREATER(r->tokens.prompt_tokens, 0);
}

CAF_TEST(a request needs a model and bounded inputs) {
  for (auto t : {openai, ollama, gemini}) {
    CAF_CHECK(!codec_of(t)->embed(embed_request{"", {"x"}}));
    CAF_CHECK(!codec_of(t)->embed(embed_request{"m", {}}));
    CAF_CHECK(!codec_of(t)->embed(
        embed_request{"m", std::vector<std::string>(max_embed_inputs + 1, "x")}));
  }
  auto anthropic = codec_of(config::provider_type::anthropic)->embed(two_texts());
  CAF_REQUIRE(!anthropic);
  CAF_CHECK_EQUAL(name(anthropic.error().code), "unsupported");
}

CAF_TEST(hostile openai bodies are refused with what was wrong) {
  auto item = [](std::string v, int index) {
    return R"({"index":)" + std::to_string(index) + R"(,"embedding":)" + v + "}";
  };
  auto data = [](std::string items, std::string usage = R"({"prompt_tokens":1})") {
    return R"({"data":[)" + items + R"(],"usage":)" + usage + "}";
  };
  CAF_CHECK_EQUAL(verdict(openai, data(item("[1]", 0) + "," + item("[2]", 1))), "ok");
  CAF_CHECK_EQUAL(verdict(openai, "not json"), "invalid_input");
  CAF_CHECK_EQUAL(verdict(openai, R"({"object":"list"})"), "invalid_input");
  // One vector for two inputs, three for two.
  CAF_CHECK_EQUAL(verdict(openai, data(item("[1]", 0))), "invalid_input");
  CAF_CHECK(message(openai, data(item("[1]", 0))).find("1 vectors for 2 inputs")
            != std::string::npos);
  CAF_CHECK_EQUAL(
      verdict(openai, data(item("[1]", 0) + "," + item("[1]", 1) + "," + item("[1]", 2))),
      "invalid_input");
  // Dimensions differ, or are zero.
  CAF_CHECK(message(openai, data(item("[1,2]", 0) + "," + item("[1]", 1))).find("dimension")
            != std::string::npos);
  CAF_CHECK_EQUAL(verdict(openai, data(item("[]", 0) + "," + item("[]", 1))), "invalid_input");
  // A repeated or out-of-range index.
  CAF_CHECK_EQUAL(verdict(openai, data(item("[1]", 0) + "," + item("[1]", 0))), "invalid_input");
  CAF_CHECK_EQUAL(verdict(openai, data(item("[1]", 0) + "," + item("[1]", 7))), "invalid_input");
  CAF_CHECK_EQUAL(verdict(openai, data(item("[1]", 0) + "," + item("[1]", -1))), "invalid_input");
  // Not numbers, not finite, past float's range (1e300 reads as a finite double).
  CAF_CHECK_EQUAL(verdict(openai, data(item(R"(["1"])", 0) + "," + item("[1]", 1))),
                  "invalid_input");
  CAF_CHECK_EQUAL(verdict(openai, data(item("[null]", 0) + "," + item("[1]", 1))), "invalid_input");
  CAF_CHECK_EQUAL(verdict(openai, data(item("[1e300]", 0) + "," + item("[1]", 1))),
                  "invalid_input");
  CAF_CHECK_EQUAL(verdict(openai, data(item(R"("AAAA")", 0) + "," + item("[1]", 1))),
                  "invalid_input");
  // Token counts: negative, fractional, huge.
  auto two = item("[1]", 0) + "," + item("[1]", 1);
  CAF_CHECK_EQUAL(verdict(openai, data(two, R"({"prompt_tokens":-5})")), "invalid_input");
  CAF_CHECK_EQUAL(verdict(openai, data(two, R"({"prompt_tokens":1.5})")), "invalid_input");
  CAF_CHECK_EQUAL(verdict(openai, data(two, R"({"prompt_tokens":1e30})")), "invalid_input");
}

CAF_TEST(the dimension is bounded) {
  auto vec = [](size_t n) {
    std::string s = "[";
    for (size_t i = 0; i < n; ++i)
      s += i ? ",0" : "0";
    return s + "]";
  };
  auto at_limit = vec(max_embed_dimension);
  auto past = vec(max_embed_dimension + 1);
  CAF_CHECK_EQUAL(verdict(ollama, R"({"embeddings":[)" + at_limit + "," + at_limit + "]}"), "ok");
  CAF_CHECK_EQUAL(verdict(ollama, R"({"embeddings":[)" + past + "," + past + "]}"),
                  "invalid_input");
  CAF_CHECK(message(ollama, R"({"embeddings":[)" + past + "," + past + "]}").find("16384")
            != std::string::npos);
  // More numbers than two vectors can hold are refused before a parse takes their memory.
  auto flood = R"({"embeddings":[)" + vec(3 * max_embed_dimension) + "]}";
  CAF_CHECK_EQUAL(verdict(ollama, flood), "invalid_input");
  CAF_CHECK(message(ollama, flood).find("more values than 2 vectors of at most 16384 components")
            != std::string::npos);
}

CAF_TEST(hostile ollama and gemini bodies are refused) {
  CAF_CHECK_EQUAL(verdict(ollama, R"({"embeddings":[[1],[2]],"prompt_eval_count":2})"), "ok");
  CAF_CHECK_EQUAL(verdict(ollama, R"({"embedding":[1,2]})"), "invalid_input");
  CAF_CHECK_EQUAL(verdict(ollama, R"({"embeddings":[[1]]})"), "invalid_input");
  CAF_CHECK_EQUAL(verdict(ollama, R"({"embeddings":[[1],[1,2]]})"), "invalid_input");
  CAF_CHECK_EQUAL(verdict(ollama, R"({"embeddings":[[1],{"a":1}]})"), "invalid_input");
  CAF_CHECK_EQUAL(verdict(ollama, R"({"embeddings":[[1],[2]],"prompt_eval_count":-1})"),
                  "invalid_input");
  CAF_CHECK_EQUAL(verdict(ollama, R"({"embeddings":[[1],[2]],"prompt_eval_count":"8"})"),
                  "invalid_input");
  CAF_CHECK_EQUAL(verdict(gemini, R"({"embeddings":[{"values":[1]},{"values":[2]}]})"), "ok");
  CAF_CHECK_EQUAL(verdict(gemini, R"({"embeddings":[{"values":[1]}]})"), "invalid_input");
  CAF_CHECK_EQUAL(verdict(gemini, R"({"embeddings":[{"values":[1]},{"values":[1,2]}]})"),
                  "invalid_input");
  CAF_CHECK_EQUAL(verdict(gemini, R"({"embeddings":[{"values":[1]},{"value":[1]}]})"),
                  "invalid_input");
  CAF_CHECK_EQUAL(verdict(gemini, R"({"embeddings":[[1],[2]]})"), "invalid_input");
  CAF_CHECK_EQUAL(verdict(gemini, R"([])"), "invalid_input");
}
