// Token counting (see count.hpp).

#include "count.hpp"

#include <boost/json.hpp>

#include "thinking.hpp"

namespace et::fake {

namespace {

namespace json = boost::json;

count_input refused(std::string message) {
  count_input in;
  in.refusal = std::move(message);
  return in;
}

count_input from_chat(const route& chat_route, std::string_view body) {
  auto in = parse_chat(chat_route, body);
  if (!in)
    return refused("the body is not a JSON object");
  count_input out;
  out.model = in->model;
  out.tokens = in->prompt_tokens;
  out.refusal = in->refusal;
  return out;
}

count_input parse_anthropic_count(std::string_view body, const json::object& o) {
  for (std::string_view key : {"max_tokens", "stream", "temperature", "top_p", "top_k",
                               "stop_sequences", "metadata", "service_tier"})
    if (o.contains(key))
      return refused(std::string{key} + ": Extra inputs are not permitted");
  for (std::string_view key : {"model", "messages"})
    if (!o.contains(key))
      return refused(std::string{key} + ": Field required");
  route chat;
  chat.where = endpoint::anthropic_messages;
  chat.proto = protocol::anthropic;
  return from_chat(chat, body);
}

count_input parse_gemini_count(const route& r, const json::object& o) {
  const auto* whole = o.if_contains("generateContentRequest");
  if (whole != nullptr && o.contains("contents"))
    return refused("contents and generateContentRequest are mutually exclusive");
  route chat = r;
  chat.where = endpoint::gemini_generate;
  if (whole == nullptr)
    return from_chat(chat, json::serialize(o));
  if (!whole->is_object())
    return refused("generateContentRequest must be an object");
  const auto* model = whole->get_object().if_contains("model");
  if (model == nullptr || !model->is_string() || model->get_string() != "models/" + r.model)
    return refused("generateContentRequest.model must name the model of the path (models/" + r.model
                   + ")");
  return from_chat(chat, json::serialize(*whole));
}

} // namespace

count_input parse_count(const route& r, std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(json::string_view{body.data(), body.size()}, ec);
  if (ec || !v.is_object())
    return refused("the body is not a JSON object");
  if (r.proto == protocol::gemini)
    return parse_gemini_count(r, v.get_object());
  return parse_anthropic_count(body, v.get_object());
}

std::string count_body(protocol p, int64_t tokens) {
  if (p != protocol::gemini)
    return json::serialize(json::object{{"input_tokens", tokens}});
  json::object o;
  if (tokens != 0)
    o["totalTokens"] = tokens;
  o["promptTokensDetails"] =
      json::array{json::object{{"modality", "TEXT"}, {"tokenCount", tokens}}};
  return json::serialize(o);
}

std::string count_refusal_body(protocol p, std::string_view message) {
  if (p != protocol::gemini)
    return anthropic_refusal_body(message);
  return json::serialize(json::object{
      {"error",
       json::object{{"code", 400}, {"message", message}, {"status", "INVALID_ARGUMENT"}}}});
}

} // namespace et::fake
