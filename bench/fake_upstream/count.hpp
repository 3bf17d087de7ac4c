#pragma once
/// Token counting as Anthropic (POST /v1/messages/count_tokens) and Gemini (POST
/// /v1beta/models/{model}:countTokens) answer it. The count is the prompt's words, the same
/// number a chat with that prompt bills as its input, so a test can hold one against the other.

#include <cstdint>
#include <string>
#include <string_view>

#include "request.hpp"

namespace et::fake {

/// A token-count request as read: its model and count, or the 400 the real API gives.
struct count_input {
  std::string model;   ///< the model counted for
  int64_t tokens = 0;  ///< words in the messages and the system prompt
  std::string refusal; ///< set: the request is refused with this message
};

/// Reads a count body of r's protocol. Anthropic refuses the answer's settings (max_tokens,
/// stream, sampling...) as extra inputs and applies its thinking rules; Gemini wants either
/// `contents` or a whole `generateContentRequest` naming its model, not both.
count_input parse_count(const route& r, std::string_view body);

/// The 200 body: {"input_tokens": n}, or Gemini's {"totalTokens": n} (left out when 0, as
/// proto3 JSON leaves out zeros).
std::string count_body(protocol p, int64_t tokens);

/// The 400 body for `message` in protocol `p`'s error shape.
std::string count_refusal_body(protocol p, std::string_view message);

} // namespace et::fake
