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

} // namespace et::wire
