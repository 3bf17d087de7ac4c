#pragma once
/// Error classification shared by the four protocols: a failed exchange or a
/// mid-stream error event becomes an `et::failure` in the classes the router
/// acts on, keeping the provider's own message (never the API key).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/llm/errc.hpp"
#include "et/wire/codec.hpp"

namespace et::wire {

/// The most bytes of an upstream's error message et keeps (then "..."); control bytes become
/// spaces. The message goes into logs, journals and error bodies.
inline constexpr std::size_t max_message_bytes = 2048;

/// An upstream's or a peer's error message as et keeps it: one line (control bytes become
/// spaces), valid UTF-8, at most max_message_bytes (then "...").
std::string bounded_message(std::string text);

/// The most of an error reply's body that is read for its error: any provider's error object
/// fits; the rest of a huge one would only be parsed.
inline constexpr std::size_t max_error_body_bytes = 64 << 10;

/// A `Retry-After` value, delay-seconds ("16", "1.5") or an HTTP-date
/// ("Wed, 21 Oct 2015 07:28:00 GMT") taken relative to `now`; a date in the
/// past gives 0. nullopt when the value is neither.
std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

/// The value of the first header named `name` (case-insensitive), or nullopt.
std::optional<std::string_view> find_header(const header_list& headers, std::string_view name);

/// The class of a provider error from its HTTP status (0 for a mid-stream
/// event), the type / code / status / reason strings of its body, and its
/// message. Exposed for tests and for codecs with unusual error shapes.
errc classify_error(int status, const std::vector<std::string>& tags, std::string_view message);

/// Classifies a non-2xx exchange of any of the four protocols: OpenAI
/// (`error.type/code`), Anthropic (`error.type`), Gemini (`error.status`,
/// `details[].reason`, `RetryInfo.retryDelay`) and Ollama (`error` string).
/// The delay comes from `retry-after-ms`, `Retry-After` or `RetryInfo`.
/// Every occurrence of `secret` in the message is replaced by "****".
failure
classify_reply(const http_reply& reply, std::string_view secret,
               std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

/// Classifies the payload of an error that arrived inside a 2xx stream
/// (Anthropic `event: error`, an OpenAI-compatible `{"error":...}` chunk,
/// Gemini's error object, Ollama's `{"error": "..."}` line). http_status stays 0.
failure classify_stream_error(std::string_view payload, std::string_view secret);

} // namespace et::wire
