#pragma once
/// Anthropic's documented rules for thinking requests, which the fake upstream enforces as the
/// API does, so that a request et gets wrong fails in tests as it would against Claude: the
/// thinking config itself, sampling options thinking rules out, signatures on thinking blocks
/// sent back, and the signed thinking a tool loop's last turn must start with.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace et::fake {

/// What the fake upstream signs its thinking blocks with, and the only signature it takes back.
inline constexpr std::string_view fake_thinking_signature = "ZmFrZS1zaWduYXR1cmU=";

/// What the fake upstream thinks when a request turns thinking on and x-fake-thinking says
/// nothing.
inline constexpr std::string_view default_thinking = "Thinking it over.";

/// The 400 message for an Anthropic messages `body` that breaks a thinking rule, "" when it
/// breaks none; `thinking_on` tells whether it turns thinking on.
std::string anthropic_thinking_refusal(const boost::json::object& body, bool& thinking_on);

/// Anthropic's error body for such a refusal (invalid_request_error).
std::string anthropic_refusal_body(std::string_view message);

} // namespace et::fake
