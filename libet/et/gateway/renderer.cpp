#include "et/gateway/renderer.hpp"

namespace et::gateway {

namespace {

std::variant<openai_stream, anthropic_stream, responses_stream>
stream_for(surface s, const answer_meta& meta, bool include_usage) {
  switch (s) {
    case surface::messages:
      return anthropic_stream{meta};
    case surface::responses:
      return responses_stream{meta};
    case surface::chat_completions:
      break;
  }
  return openai_stream{meta, include_usage};
}

} // namespace

protocol protocol_of(surface s) {
  return s == surface::messages ? protocol::anthropic : protocol::openai;
}

std::string answer_id(surface s, uint64_t n) {
  switch (s) {
    case surface::messages:
      return "msg_et" + std::to_string(n);
    case surface::responses:
      return "resp_et" + std::to_string(n);
    case surface::chat_completions:
      break;
  }
  return "chatcmpl-et" + std::to_string(n);
}

renderer::renderer(surface s, answer_meta meta, bool include_usage)
    : meta_(meta), stream_(stream_for(s, meta, include_usage)) {}

std::string renderer::whole(const chat_response& r) const {
  if (std::holds_alternative<anthropic_stream>(stream_))
    return anthropic_response(r, meta_);
  if (std::holds_alternative<responses_stream>(stream_))
    return responses_response(r, meta_);
  return openai_response(r, meta_);
}

std::string renderer::start() {
  return std::visit([](auto& s) { return s.start(); }, stream_);
}

std::string renderer::piece(const chunk& c) {
  return std::visit([&](auto& s) { return s.piece(c); }, stream_);
}

std::string renderer::finish(const chat_response& r) {
  return std::visit([&](auto& s) { return s.finish(r); }, stream_);
}

std::string renderer::fail(const client_error& e) {
  return std::visit([&](auto& s) { return s.fail(e); }, stream_);
}

} // namespace et::gateway
