// Decoder throughput: how fast the SSE and NDJSON splitters and a full
// OpenAI / Anthropic / Ollama stream decode (JSON included) consume bytes, fed
// in network-sized pieces, and how fast the gateway decodes a client's whole request body
// (its JSON parsed within the memory bound of gateway/detail/fields.cpp). Prints a table;
// --json FILE also writes the results.
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "et/config/settings.hpp"
#include "et/gateway/request.hpp"
#include "et/wire/codec.hpp"
#include "et/wire/ndjson.hpp"
#include "et/wire/sse.hpp"
#include "support.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

std::string openai_stream(int chunks) {
  std::string s;
  for (int i = 0; i < chunks; ++i)
    s +=
        R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",)"
        R"("choices":[{"index":0,"delta":{"content":"token )"
        + std::to_string(i) + R"( "},"finish_reason":null}]})" + "\n\n";
  s += R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",)"
       R"("choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
       "\n\n";
  s += R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",)"
       R"("choices":[],"usage":{"prompt_tokens":10,"completion_tokens":)"
       + std::to_string(chunks)
       + R"(,"total_tokens":1}})"
         "\n\ndata: [DONE]\n\n";
  return s;
}

std::string anthropic_stream(int chunks) {
  std::string s =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\","
      "\"model\":\"claude\",\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
      "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
  for (int i = 0; i < chunks; ++i)
    s += "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
         "\"delta\":{\"type\":\"text_delta\",\"text\":\"token "
         + std::to_string(i) + " \"}}\n\n";
  s += "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
       "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
       "\"end_turn\"},\"usage\":{\"output_tokens\":"
       + std::to_string(chunks)
       + "}}\n\n"
         "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  return s;
}

std::string ollama_stream(int chunks) {
  std::string s;
  for (int i = 0; i < chunks; ++i)
    s += R"({"model":"qwen","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant",)"
         R"("content":"token )"
         + std::to_string(i)
         + R"( "},"done":false})"
           "\n";
  s += R"({"model":"qwen","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant",)"
       R"("content":""},"done":true,"done_reason":"stop","prompt_eval_count":10,"eval_count":)"
       + std::to_string(chunks) + "}\n";
  return s;
}

// An OpenAI chat request as a coding agent sends it: a system prompt, `turns` turns of
// `text_bytes` each, and eight tools with JSON schemas.
std::string openai_request(int turns, size_t text_bytes) {
  std::string text(text_bytes, 'x');
  for (size_t i = 0; i < text.size(); i += 64)
    text[i] = ' ';
  std::string s = R"({"model":"coder","stream":true,"max_tokens":4096,"messages":[)"
                  R"({"role":"system","content":"You are a coding agent. )"
                  + text + R"("})";
  for (int i = 0; i < turns; ++i)
    s += std::string{R"(,{"role":")"} + (i % 2 ? "assistant" : "user") + R"(","content":")" + text
         + R"("})";
  s += R"(],"tools":[)";
  for (int i = 0; i < 8; ++i)
    s +=
        std::string{i ? "," : ""} + R"({"type":"function","function":{"name":"tool_)"
        + std::to_string(i)
        + R"(","description":"Reads or edits files in the project.","parameters":{"type":"object",)"
          R"("properties":{"path":{"type":"string"},"text":{"type":"string"}},)"
          R"("required":["path"]}}})";
  return s + "]}";
}

// One whole-body decode of a client's request (`piece` is ignored: a body is parsed whole).
size_t parse_request(const std::string& body, size_t) {
  auto r = et::gateway::parse_openai_request(body);
  return r ? r->request.messages.size() : 0;
}

struct measurement {
  std::string name;
  size_t piece;
  double mb_per_s;
};

// Runs `decode_all` (one pass over `bytes` in pieces of `piece`) for about
// 0.4 s and returns the throughput.
measurement measure(const std::string& name, const std::string& bytes, size_t piece,
                    const std::function<size_t(const std::string&, size_t)>& decode_all) {
  size_t total = 0;
  size_t sink = 0;
  auto start = clock_type::now();
  auto elapsed = clock_type::duration{};
  do {
    sink += decode_all(bytes, piece);
    total += bytes.size();
    elapsed = clock_type::now() - start;
  } while (elapsed < std::chrono::milliseconds{400});
  if (sink == 0)
    std::fprintf(stderr, "%s decoded nothing\n", name.c_str());
  double seconds = std::chrono::duration<double>(elapsed).count();
  return {name, piece, static_cast<double>(total) / seconds / 1e6};
}

size_t split_sse(const std::string& bytes, size_t piece) {
  et::wire::sse_decoder d;
  et::wire::sse_event ev;
  size_t events = 0;
  for (size_t i = 0; i < bytes.size(); i += piece) {
    d.feed(std::string_view{bytes}.substr(i, piece));
    while (d.next(ev))
      ++events;
  }
  return events;
}

size_t split_ndjson(const std::string& bytes, size_t piece) {
  et::wire::ndjson_decoder d;
  std::string_view line;
  size_t lines = 0;
  for (size_t i = 0; i < bytes.size(); i += piece) {
    d.feed(std::string_view{bytes}.substr(i, piece));
    while (d.next(line))
      ++lines;
  }
  return lines;
}

std::function<size_t(const std::string&, size_t)> full_decode(et::config::provider_type type) {
  et::config::provider p;
  p.type = type;
  p.api_key = "bench";
  auto codec = std::shared_ptr<et::wire::codec>(et::wire::make_codec(p));
  return [codec](const std::string& bytes, size_t piece) -> size_t {
    auto d = codec->make_stream_decoder();
    std::vector<et::chunk> out;
    for (size_t i = 0; i < bytes.size(); i += piece)
      if (!d->feed(std::string_view{bytes}.substr(i, piece), out))
        return 0;
    auto r = d->finish(out);
    return r ? out.size() : 0;
  };
}

} // namespace

int main(int argc, char** argv) {
  if (auto code =
          et::bench::check_flags(argc, argv, "et-bench-decoders", "[--json FILE]", {"--json"});
      code >= 0)
    return code;
  auto json_path = et::bench::json_path(argc, argv);
  auto openai = openai_stream(2000);
  auto anthropic = anthropic_stream(2000);
  auto ollama = ollama_stream(2000);
  std::vector<measurement> results;
  for (size_t piece : {size_t{64}, size_t{4096}}) {
    results.push_back(measure("sse split", openai, piece, split_sse));
    results.push_back(measure("ndjson split", ollama, piece, split_ndjson));
    results.push_back(measure("openai stream decode", openai, piece,
                              full_decode(et::config::provider_type::openai)));
    results.push_back(measure("anthropic stream decode", anthropic, piece,
                              full_decode(et::config::provider_type::anthropic)));
    results.push_back(measure("ollama stream decode", ollama, piece,
                              full_decode(et::config::provider_type::ollama)));
  }
  // A short exchange and a long coding session (about 4 KB and 200 KB).
  for (auto [turns, bytes] : {std::pair{4, size_t{800}}, std::pair{100, size_t{2000}}}) {
    auto body = openai_request(turns, bytes);
    results.push_back(measure("openai request parse", body, body.size(), parse_request));
  }
  std::printf("%-26s %10s %10s\n", "decoder", "piece (B)", "MB/s");
  for (const auto& m : results)
    std::printf("%-26s %10zu %10.1f\n", m.name.c_str(), m.piece, m.mb_per_s);
  if (!json_path.empty()) {
    std::vector<et::bench::json_row> rows;
    for (const auto& m : results)
      rows.push_back(et::bench::json_row{}
                         .add("bench", "decoders")
                         .add("name", m.name)
                         .add("piece_bytes", static_cast<int64_t>(m.piece))
                         .add("mb_per_s", m.mb_per_s));
    if (!et::bench::write_json(json_path, rows)) {
      std::fprintf(stderr, "cannot write %s\n", json_path.c_str());
      return 1;
    }
  }
  return 0;
}
