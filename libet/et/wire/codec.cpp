#include "et/wire/codec.hpp"

#include "et/wire/detail/common.hpp"

namespace et::wire {

std::unique_ptr<codec> make_codec(const config::provider& p) {
  switch (p.type) {
    case config::provider_type::openai:
      return detail::make_openai(p);
    case config::provider_type::anthropic:
      return detail::make_anthropic(p);
    case config::provider_type::ollama:
      return detail::make_ollama(p);
    case config::provider_type::gemini:
      return detail::make_gemini(p);
    case config::provider_type::mock:
      break;
  }
  return nullptr;
}

result<http_request> codec::embed(const embed_request&) const {
  return make_failure(errc::unsupported, "this provider's protocol has no embeddings endpoint");
}

result<embed_response> codec::decode_embed(std::string_view, const embed_request&) const {
  return make_failure(errc::unsupported, "this provider's protocol has no embeddings endpoint");
}

result<http_request> codec::count_tokens(const chat_request&) const {
  return make_failure(errc::unsupported, "this provider's protocol has no token-counting endpoint");
}

result<int64_t> codec::decode_count(std::string_view) const {
  return make_failure(errc::unsupported, "this provider's protocol has no token-counting endpoint");
}

} // namespace et::wire
