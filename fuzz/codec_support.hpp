#pragma once
/// The four provider codecs as the fuzz targets build them, and the checks on
/// what they decode.

#include <array>
#include <memory>
#include <string>

#include "et/wire/codec.hpp"
#include "fuzz_support.hpp"

namespace et::fuzz {

/// The key every codec is configured with; it must never appear in a message.
inline constexpr std::string_view secret = "sk-FUZZSECRET";

/// One codec per protocol, built once.
inline const std::array<std::unique_ptr<wire::codec>, 4>& codecs() {
  static const auto all = [] {
    std::array<std::unique_ptr<wire::codec>, 4> out;
    const config::provider_type types[] = {
        config::provider_type::openai, config::provider_type::anthropic,
        config::provider_type::gemini, config::provider_type::ollama};
    for (size_t i = 0; i < 4; ++i) {
      config::provider p;
      p.name = "fuzz";
      p.type = types[i];
      p.api_key = std::string{secret};
      p.auth = config::auth_type::bearer;
      out[i] = wire::make_codec(p);
      FUZZ_CHECK(out[i] != nullptr, "no codec");
    }
    return out;
  }();
  return all;
}

/// A decoded usage is never negative.
inline void check_usage(const usage& u) {
  FUZZ_CHECK(u.prompt_tokens >= 0 && u.completion_tokens >= 0 && u.cache_read_tokens >= 0
                 && u.cache_write_tokens >= 0 && u.reasoning_tokens >= 0,
             "negative token count");
}

/// A failure keeps no `key` and asks for no negative delay.
inline void check_failure(const failure& f, std::string_view key = secret) {
  FUZZ_CHECK(f.message.find(key) == std::string::npos, "the API key leaked into a message");
  FUZZ_CHECK(f.retry_after.count() >= 0, "negative retry delay");
  FUZZ_CHECK(!f.message.empty(), "failure without a message");
}

} // namespace et::fuzz
