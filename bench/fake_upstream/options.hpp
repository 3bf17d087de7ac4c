#pragma once
/// Settings of the fake upstream: what it answers, how fast, and which faults
/// it injects. One plain struct with its defaults; `x-fake-*` request headers
/// override the reply settings of a single request.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace et::fake {

/// Where the reply text comes from.
enum class reply_mode : uint8_t {
  echo,   ///< the last user message
  fixed,  ///< reply_settings::text
  tokens, ///< reply_settings::tokens words "tok0 tok1 ..."
};

/// "echo", "fixed" or "tokens".
std::string_view to_string(reply_mode m);
/// Parses a name produced by to_string(reply_mode).
std::optional<reply_mode> reply_mode_from_string(std::string_view name);

/// A fault the server can inject into one exchange.
enum class fault : uint8_t {
  none,             ///< answer normally
  rate_limit,       ///< 429 with the provider's retry hints
  server_error,     ///< 500
  unavailable,      ///< 503
  overloaded,       ///< Anthropic 529 overloaded_error; 503 elsewhere
  context_overflow, ///< 400 "prompt too long" in the provider's words
  unauthorized,     ///< 401 (Gemini: 400 API_KEY_INVALID, as Gemini does)
  refuse,           ///< close the connection without a byte of answer
  reset,            ///< abort the connection with a TCP RST (SO_LINGER 0)
  hang,             ///< never answer; the connection stays open
  cut,              ///< close after cut_after content chunks (or half the body)
  malformed,        ///< 200 with invalid JSON (streams: one bad event)
  stream_error,     ///< a mid-stream error event after cut_after content chunks
};

/// The fault's name as used by --fault and x-fake-fault, e.g. "rate_limit".
std::string_view to_string(fault f);
/// Parses a fault name; also accepts the status aliases "429", "500", "503",
/// "529", "400" and "401".
std::optional<fault> fault_from_string(std::string_view name);

/// How one reply looks and paces; each field has an `x-fake-*` header.
struct reply_settings {
  reply_mode mode = reply_mode::echo;                 ///< x-fake-mode
  std::string text = "Hello from the fake upstream."; ///< x-fake-text (mode fixed)
  int64_t tokens = 16;                                ///< x-fake-tokens (mode tokens)
  std::chrono::milliseconds latency{0}; ///< x-fake-latency-ms: delay to the first token
  double tokens_per_second = 0;         ///< x-fake-tps: pace, 0 = no pacing
  int64_t chunk_tokens = 1;             ///< x-fake-chunk-tokens: tokens per stream event
  int64_t cut_after = 1;           ///< x-fake-cut-after: content chunks before cut/stream_error
  int64_t retry_after_seconds = 1; ///< x-fake-retry-after: the delay 429s ask for
  /// x-fake-hold: stop every Nth eligible stream (1: each) after its first content event until
  /// released; 0 = never.
  int64_t hold_every = 0;
  /// x-fake-tool: after its text the answer calls this function (OpenAI and Anthropic only)
  /// with the arguments fake_tool_arguments; "" = no call.
  std::string tool;
  /// x-fake-thinking: the answer thinks this first, shown as each protocol shows a reasoning
  /// model's thinking (reasoning_content, a thinking block, a thought part, message.thinking);
  /// "" = no thinking.
  std::string thinking;
};

/// The arguments of the call x-fake-tool makes.
inline constexpr std::string_view fake_tool_arguments = R"({"city":"Oslo","days":3})";

/// The whole server configuration; defaults suit tests (loopback, OS-chosen port).
struct options {
  std::string host = "127.0.0.1";    ///< address to bind
  uint16_t port = 0;                 ///< 0 = the OS picks one (see server::port())
  int threads = 2;                   ///< io threads
  reply_settings reply;              ///< defaults of every reply
  fault default_fault = fault::none; ///< injected into requests without x-fake-fault
  double fault_probability = 1.0;    ///< chance per request that default_fault applies
  /// When not empty, replaces default_fault: with fault_probability per request, one of
  /// these drawn uniformly (refuse then closes the connection before any answer byte).
  std::vector<fault> fault_mix;
  uint64_t seed = 1;      ///< seed of the fault draw, for reproducible runs
  int64_t fail_first = 0; ///< the first N requests per model fail (x-fake-fail-first)
  fault fail_first_fault = fault::server_error; ///< how they fail unless x-fake-fault says
  std::vector<std::string> models = {"fake-small", "fake-medium", "fake-large"}; ///< listings
};

} // namespace et::fake
