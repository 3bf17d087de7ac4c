#pragma once
/// What the gateway's rendering suites share: an answer, its meta, and the JSON events of a
/// stream.

#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "et/gateway/response.hpp"
#include "et/gateway/stream.hpp"

namespace et::gateway::test {

namespace json = boost::json;

inline chat_response answer() {
  chat_response r;
  r.content = "Hello there";
  r.tokens.prompt_tokens = 12;
  r.tokens.completion_tokens = 3;
  r.finish = finish_reason::length;
  return r;
}

inline const answer_meta meta{"id-1", "small", 1700000000};

// An answer with text and one call of the `shell` tool, as a coding agent's turn gets.
inline chat_response answer_with_call() {
  chat_response r;
  r.content = "Running it.";
  r.tool_calls = {tool_call{"call_9", "shell", R"({"cmd":["make"]})"}};
  r.tokens.prompt_tokens = 12;
  r.tokens.completion_tokens = 5;
  return r;
}

// The JSON of each `data:` line of `sse`, skipping [DONE]; `names` gets each event name.
inline std::vector<json::value> events(const std::string& sse,
                                       std::vector<std::string>* names = nullptr) {
  std::vector<json::value> out;
  size_t at = 0;
  while ((at = sse.find("data: ", at)) != std::string::npos) {
    auto end = sse.find("\n\n", at);
    auto data = sse.substr(at + 6, end - at - 6);
    if (data != "[DONE]")
      out.push_back(json::parse(data));
    at = end;
  }
  if (names) {
    size_t e = 0;
    while ((e = sse.find("event: ", e)) != std::string::npos) {
      auto end = sse.find('\n', e);
      names->push_back(sse.substr(e + 7, end - e - 7));
      e = end;
    }
  }
  return out;
}

// The events of a stream of named events (Anthropic's, Responses'): (name, data) in order.
inline std::vector<std::pair<std::string, json::object>> named_events(const std::string& sse) {
  std::vector<std::pair<std::string, json::object>> out;
  for (size_t at = 0; at < sse.size();) {
    auto end = sse.find("\n\n", at);
    auto ev = sse.substr(at, end - at);
    auto name = ev.substr(7, ev.find('\n') - 7);
    out.emplace_back(name, json::parse(ev.substr(ev.find("data: ") + 6)).as_object());
    at = end + 2;
  }
  return out;
}

// The whole stream of `s`: start, each piece in order, finish (a `+` chain would leave the
// order of the calls to the compiler, and an Anthropic stream keeps state between them).
template <class Stream>
inline std::string streamed(Stream& s, const std::vector<chunk>& pieces, const chat_response& r) {
  auto out = s.start();
  for (const auto& p : pieces)
    out += s.piece(p);
  return out + s.finish(r);
}

} // namespace et::gateway::test
