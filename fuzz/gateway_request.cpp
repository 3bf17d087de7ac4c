// Fuzz target: the gateway's client requests (et/gateway): Chat Completions, Messages (and its
// count_tokens body) and Responses. Invariants: a
// decoded request stays within its bounds and has a model and messages; a refusal has a
// message, and any field it names is short and one line; whatever was decoded renders back
// (answer, stream events, error) as valid JSON, so no client input can break the JSON et
// sends to clients; its prompt has an estimate (PDF pages counted as it was read); and every
// upstream protocol encodes it (response_format included) as a
// JSON body, or refuses it as unsupported (Anthropic's json_object), never as malformed.

#include <algorithm>
#include <boost/json.hpp>
#include <string>

#include "et/cost/attachments.hpp"
#include "et/cost/reports.hpp"
#include "et/gateway/detail/reasoning.hpp"
#include "et/gateway/errors.hpp"
#include "et/gateway/request.hpp"
#include "et/gateway/response.hpp"
#include "et/gateway/responses.hpp"
#include "et/gateway/stream.hpp"
#include "et/wire/codec.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace et::gateway;

void parses(const std::string& text, const char* what) {
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  FUZZ_CHECK(!ec, what);
}

// Every event of `sse` ends with a blank line and each of its data lines is JSON (or [DONE]).
void events_parse(const std::string& sse) {
  FUZZ_CHECK(sse.size() >= 2 && sse.substr(sse.size() - 2) == "\n\n", "an unended event");
  std::size_t at = 0;
  while (at < sse.size()) {
    auto end = sse.find("\n\n", at);
    auto event = sse.substr(at, end - at);
    for (std::size_t line = 0; line < event.size();) {
      auto next = std::min(event.find('\n', line), event.size());
      auto text = event.substr(line, next - line);
      if (text.rfind("data: ", 0) == 0 && text != "data: [DONE]")
        parses(text.substr(6), "a stream event is not JSON");
      line = next + 1;
    }
    at = end + 2;
  }
}

// A Responses stream's items: each added at the next output_index, and the completed response
// lists the items done, in the order they were done.
void items_agree(const std::string& sse) {
  boost::json::array done;
  int64_t next = 0;
  for (std::size_t at = 0; at < sse.size();) {
    auto end = sse.find("\n\n", at);
    auto event = sse.substr(at, end - at);
    at = end + 2;
    auto data = boost::json::parse(event.substr(event.find("data: ") + 6)).as_object();
    auto type = data.at("type").as_string();
    if (type == "response.output_item.added")
      FUZZ_CHECK(data.at("output_index").as_int64() == next++, "an item out of order");
    else if (type == "response.output_item.done")
      done.push_back(data.at("item"));
    else if (type == "response.completed" || type == "response.incomplete")
      FUZZ_CHECK(data.at("response").at("output") == done, "the completed output is not the items");
  }
}

// The answer streamed to both protocols' clients, its thinking shown or not.
void streams_parse(const et::chat_response& answer, answer_meta meta, bool anthropic) {
  et::chunk piece{answer.content, answer.reasoning};
  if (!answer.thoughts.empty()) // a signed block: the Responses stream seals it
    piece.signature = answer.thoughts.front().signature;
  openai_stream o{meta, true};
  auto events = o.start(); // one call a statement: a stream keeps state between them
  events += o.piece(piece);
  events_parse(events + o.finish(answer));
  responses_stream rs{meta};
  events = rs.piece(piece); // as the gateway asks: the first piece, then the start
  events = rs.start() + events;
  events += rs.finish(answer);
  events_parse(events);
  items_agree(events);
  responses_stream cut{meta}; // a stream that fails after its first piece
  events = cut.piece(piece);
  events = cut.start() + events;
  events_parse(events + cut.fail(client_error{502, answer.content, "", 0, answer.reasoning}));
  if (!anthropic)
    return;
  anthropic_stream a{meta};
  events = a.start();
  events += a.piece(piece);
  events += a.piece(piece);
  events_parse(events + a.finish(answer));
}

// `req` as an upstream of `type` would send it.
void encodes(const et::chat_request& req, et::config::provider_type type) {
  et::config::provider p;
  p.name = "p";
  p.type = type;
  p.base_url = "http://127.0.0.1:1";
  auto codec = et::wire::make_codec(p);
  // The same request asked to answer and to count: each a JSON body, or unsupported.
  for (auto out : {codec->chat(req, false), codec->count_tokens(req)}) {
    if (!out)
      FUZZ_CHECK(out.error().code == et::errc::unsupported, "an upstream found it malformed");
    else
      parses(out->body, "an upstream body is not JSON");
  }
}

// `req` as each upstream protocol would send it, and to an Anthropic model asked to think in
// either way a model may take thinking.
void encodes_upstream(et::chat_request req) {
  using et::config::provider_type;
  req.model = "m";
  for (auto type : {provider_type::openai, provider_type::anthropic, provider_type::ollama,
                    provider_type::gemini})
    encodes(req, type);
  for (auto takes : {et::thinking_style::adaptive, et::thinking_style::budget}) {
    req.thinking.takes = takes;
    encodes(req, provider_type::anthropic);
  }
}

void check(const et::result<client_request>& r, const limits& bounds, protocol p) {
  if (!r) {
    FUZZ_CHECK(!r.error().message.empty(), "a refusal without a message");
    auto field = failed_field(r.error());
    FUZZ_CHECK(field.find_first_of("\r\n") == std::string::npos, "a field name with a line break");
    auto e = error_for(p, r.error());
    FUZZ_CHECK(e.status == 400, "a refused request is not a 400");
    parses(error_body(p, e), "the error body is not JSON");
    return;
  }
  FUZZ_CHECK(!r->model.empty() && r->model.size() <= bounds.max_model_bytes, "model unbounded");
  const auto& req = r->request;
  FUZZ_CHECK(!req.messages.empty(), "no messages");
  // Anthropic tool results add turns: at most one per content block, plus the system turn.
  FUZZ_CHECK(req.messages.size() <= bounds.max_messages * (bounds.max_parts + 1) + 1,
             "too many messages");
  std::size_t images = 0;
  for (const auto& m : req.messages) {
    FUZZ_CHECK(m.content.size() <= bounds.max_string_bytes, "content unbounded");
    std::size_t at = 0;
    for (const auto& i : m.images) {
      FUZZ_CHECK(i.at >= at && i.at <= m.content.size(), "an image out of its text's order");
      FUZZ_CHECK(i.data.size() <= bounds.max_image_bytes && i.url.size() <= bounds.max_link_bytes,
                 "an image unbounded");
      FUZZ_CHECK(i.data.empty() != i.url.empty(), "an image with both or neither of data and link");
      FUZZ_CHECK(i.name.size() <= 256 && (i.name.empty() || et::is_document(i)),
                 "a name unbounded, or an image's");
      FUZZ_CHECK(!et::is_document(i) || !i.url.empty() || i.pages > 0,
                 "a document's bytes without their pages");
      // Decoded in the smallest pieces, a document counts the same: no key lost at a seam.
      FUZZ_CHECK(!et::is_document(i) || !i.url.empty()
                     || et::cost::estimate_pdf_pages(i.data, 4) == i.pages,
                 "a document's pages depend on the pieces it is decoded in");
      at = i.at;
    }
    images += m.images.size();
    FUZZ_CHECK(m.thoughts.empty() || m.who == et::role::assistant,
               "thinking on a turn that is not the model's");
  }
  FUZZ_CHECK(images <= bounds.max_images, "images unbounded");
  // Every estimate is positive, and a document's was counted when it was read.
  FUZZ_CHECK(et::cost::estimate_prompt_tokens(req) > 0, "a prompt estimated at nothing");
  const auto& policy = req.tool_use;
  FUZZ_CHECK(!policy.required || !req.tools.empty(), "a required call without tools");
  FUZZ_CHECK(policy.name.empty()
                 || std::any_of(req.tools.begin(), req.tools.end(),
                                [&](const auto& t) { return t.name == policy.name; }),
             "a required tool not on offer");
  FUZZ_CHECK(req.stop.size() <= bounds.max_stop, "stop sequences unbounded");
  encodes_upstream(req);
  et::chat_response answer;
  answer.content = r->model; // client bytes, echoed back as clients will see them
  answer.reasoning = req.messages.back().content;
  for (const auto& t : req.tools)
    answer.tool_calls.push_back({t.name, t.name, t.parameters});
  for (const auto& m : req.messages) // thinking a client sent back, sealed for it again
    if (!m.thoughts.empty())
      answer.thoughts = m.thoughts;
  auto resealed = detail::unseal_thoughts(detail::seal_thoughts(answer.thoughts), "f");
  FUZZ_CHECK(resealed && *resealed && **resealed == answer.thoughts,
             "sealed thinking does not read back as it was");
  answer_meta meta{r->model, r->model, 0, r->show_thinking, r->freeform_tools, r->carry_thoughts};
  parses(openai_response(answer, meta), "OpenAI answer is not JSON");
  parses(responses_response(answer, meta), "Responses answer is not JSON");
  bool anthropic = static_cast<bool>(check_relayable(protocol::anthropic, answer));
  if (anthropic)
    parses(anthropic_response(answer, meta), "Anthropic answer is not JSON");
  streams_parse(answer, meta, anthropic);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = et::fuzz::bytes(data, size);
  limits small; // small bounds, so the fuzzer reaches them
  small.max_body_bytes = 1 << 16;
  small.max_messages = 8;
  small.max_parts = 8;
  small.max_string_bytes = 256;
  small.max_model_bytes = 32;
  small.max_stop = 4;
  check(parse_openai_request(input, small), small, protocol::openai);
  check(parse_anthropic_request(input, small), small, protocol::anthropic);
  check(parse_anthropic_count_request(input, small), small, protocol::anthropic);
  check(parse_responses_request(input, small), small, protocol::openai);
  return 0;
}
