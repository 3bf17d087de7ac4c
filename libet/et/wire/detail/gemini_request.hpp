#pragma once
/// The body of a Gemini generateContent request: et's conversation as Gemini's user and model
/// contents (function responses and images in user turns), the system instruction, tools and
/// generation config. Included by gemini.cpp only.

#include <boost/json.hpp>
#include <string_view>

#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::wire::detail {

/// Gemini 3 rejects a replayed function call without the thought signature it came with. A
/// tool_call has no field for it, so it rides in the id, after this marker, and is split off
/// again when the call is sent back.
inline constexpr std::string_view gemini_signature_marker = "#sig:";

/// The JSON body of `req` (without its answer format); unsupported when an image is a link,
/// which Gemini cannot take (its fileData wants the URI of an uploaded file).
result<boost::json::object> gemini_request_body(const chat_request& req);

} // namespace et::wire::detail
