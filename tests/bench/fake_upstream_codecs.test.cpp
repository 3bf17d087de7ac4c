#define CAF_SUITE bench.fake_upstream_codecs
#include "caf/test/unit_test.hpp"

#include "et/wire/codec.hpp"
#include "fake_client.hpp"
#include "server.hpp"

// libet's codecs build the requests and decode the fake upstream's answers:
// the two sides were written independently, so agreement here means both read
// the providers' formats the same way.

using namespace et::test;
namespace fake = et::fake;
namespace config = et::config;

namespace {

using header_pairs_t = std::vector<std::pair<std::string, std::string>>;

struct outcome {
  std::string text;     ///< decoded answer text
  et::usage tokens;     ///< decoded usage
  std::string streamed; ///< text of the stream's chunks, in order
  std::string error;    ///< decoding failure, "" when fine
};

struct fixture {
  fake::server srv;
  fixture() { CAF_REQUIRE(srv.start().has_value()); }

  std::unique_ptr<et::wire::codec> codec(config::provider_type type, const std::string& path) {
    config::provider p;
    p.type = type;
    p.base_url = "http://127.0.0.1:" + std::to_string(srv.port()) + path;
    p.api_key = "sk-fake";
    p.auth =
        type == config::provider_type::openai ? config::auth_type::bearer : config::auth_type::none;
    return et::wire::make_codec(p);
  }

  fake_reply exchange(const et::wire::http_request& req, const header_pairs_t& extra) {
    std::vector<std::pair<std::string, std::string>> headers(req.headers.begin(),
                                                             req.headers.end());
    headers.insert(headers.end(), extra.begin(), extra.end());
    fake_client client{srv.port()};
    return client.send(http::string_to_verb(req.method), req.target, req.body, headers);
  }

  outcome chat(config::provider_type type, const std::string& path, bool stream,
               const header_pairs_t& extra = {}) {
    auto c = codec(type, path);
    et::chat_request req;
    req.model = "fake-model";
    req.messages = {et::message{et::role::system, "be brief", {}, {}, {}},
                    et::message{et::role::user, "the quick brown fox", {}, {}, {}}};
    auto built = c->chat(req, stream);
    CAF_REQUIRE(built.has_value());
    auto reply = exchange(*built, extra);
    CAF_REQUIRE_EQUAL(reply.status, 200u);
    outcome out;
    if (!stream) {
      auto r = c->decode_chat(reply.body);
      if (!r)
        return outcome{"", {}, "", et::to_string(r.error())};
      return outcome{r->content, r->tokens, "", ""};
    }
    auto dec = c->make_stream_decoder();
    std::vector<et::chunk> chunks;
    // Fed in small pieces so events split across reads are exercised too.
    for (size_t i = 0; i < reply.body.size(); i += 7)
      if (auto ok = dec->feed(std::string_view{reply.body}.substr(i, 7), chunks); !ok)
        return outcome{"", {}, "", et::to_string(ok.error())};
    auto done = dec->finish(chunks);
    for (const auto& ch : chunks)
      out.streamed += ch.text;
    if (!done)
      return outcome{"", {}, out.streamed, et::to_string(done.error())};
    out.text = done->content;
    out.tokens = done->tokens;
    return out;
  }

  void check_round_trip(config::provider_type type, const std::string& path) {
    for (bool stream : {false, true}) {
      auto o = chat(type, path, stream);
      CAF_CHECK_EQUAL(o.error, "");
      CAF_CHECK_EQUAL(o.text, "the quick brown fox");
      if (stream)
        CAF_CHECK_EQUAL(o.streamed, "the quick brown fox");
      CAF_CHECK_EQUAL(o.tokens.completion_tokens, 4);
      CAF_CHECK_EQUAL(o.tokens.prompt_tokens, 6);
    }
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(fake_upstream_codecs, fixture)

CAF_TEST(the OpenAI codec reads the answers of the fake upstream back) {
  check_round_trip(config::provider_type::openai, "/v1");
}

CAF_TEST(the Anthropic codec reads the answers of the fake upstream back) {
  check_round_trip(config::provider_type::anthropic, "");
}

CAF_TEST(the Ollama codec reads the answers of the fake upstream back) {
  check_round_trip(config::provider_type::ollama, "");
}

CAF_TEST(the Gemini codec reads the answers of the fake upstream back) {
  check_round_trip(config::provider_type::gemini, "");
}

CAF_TEST(every codec reports a mid - stream error event as a failure) {
  using config::provider_type;
  std::vector<std::pair<provider_type, std::string>> all{{provider_type::openai, "/v1"},
                                                         {provider_type::anthropic, ""},
                                                         {provider_type::ollama, ""},
                                                         {provider_type::gemini, ""}};
  for (const auto& [type, path] : all) {
    auto o = chat(type, path, true, {{"x-fake-fault", "stream_error"}});
    CAF_CHECK_NOT_EQUAL(o.error, "");
  }
}

CAF_TEST(every codec reports a cut stream as unfinished) {
  using config::provider_type;
  std::vector<std::pair<provider_type, std::string>> all{{provider_type::openai, "/v1"},
                                                         {provider_type::anthropic, ""},
                                                         {provider_type::ollama, ""},
                                                         {provider_type::gemini, ""}};
  for (const auto& [type, path] : all) {
    auto o = chat(type, path, true, {{"x-fake-fault", "cut"}, {"x-fake-cut-after", "2"}});
    CAF_CHECK_EQUAL(o.streamed, "the quick");
    CAF_CHECK(o.error.find("stream_interrupted") != std::string::npos);
  }
}

CAF_TEST(every codec classifies the error bodies of the fake upstream) {
  using config::provider_type;
  std::vector<std::pair<provider_type, std::string>> all{{provider_type::openai, "/v1"},
                                                         {provider_type::anthropic, ""},
                                                         {provider_type::ollama, ""},
                                                         {provider_type::gemini, ""}};
  std::vector<std::pair<std::string, et::errc>> faults{
      {"rate_limit", et::errc::rate_limited},
      {"overloaded", et::errc::overloaded},
      {"server_error", et::errc::server_error},
      {"context_overflow", et::errc::context_overflow},
      {"unauthorized", et::errc::auth}};
  for (const auto& [type, path] : all)
    for (const auto& [name, expected] : faults) {
      auto c = codec(type, path);
      et::chat_request req;
      req.model = "fake-model";
      req.messages = {et::message{et::role::user, "hi", {}, {}, {}}};
      auto reply = exchange(*c->chat(req, false), {{"x-fake-fault", name}});
      et::wire::http_reply r{static_cast<int>(reply.status), {}, reply.body};
      for (const auto& [k, v] : reply.headers)
        r.headers.emplace_back(k, v);
      auto f = c->classify(r);
      CAF_MESSAGE(et::config::to_string(type) << " " << name << ": " << et::to_string(f));
      CAF_CHECK_EQUAL(et::to_string(f.code), et::to_string(expected));
      if (name == "rate_limit" && type != provider_type::ollama)
        CAF_CHECK_EQUAL(f.retry_after.count(), 1000);
    }
}

CAF_TEST_FIXTURE_SCOPE_END()
