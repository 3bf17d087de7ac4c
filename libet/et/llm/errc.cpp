#include "et/llm/errc.hpp"

#include <array>
#include <utility>

namespace et {

namespace {

constexpr std::array<std::pair<errc, std::string_view>, 20> names{{
    {errc::rate_limited, "rate_limited"},
    {errc::overloaded, "overloaded"},
    {errc::server_error, "server_error"},
    {errc::timeout, "timeout"},
    {errc::network, "network"},
    {errc::context_overflow, "context_overflow"},
    {errc::auth, "auth"},
    {errc::bad_request, "bad_request"},
    {errc::not_found, "not_found"},
    {errc::stream_interrupted, "stream_interrupted"},
    {errc::provider_down, "provider_down"},
    {errc::node_down, "node_down"},
    {errc::budget_exceeded, "budget_exceeded"},
    {errc::cancelled, "cancelled"},
    {errc::invalid_config, "invalid_config"},
    {errc::invalid_input, "invalid_input"},
    {errc::unsupported, "unsupported"},
    {errc::io_error, "io_error"},
    {errc::all_failed, "all_failed"},
    {errc::bad_response, "bad_response"},
}};

} // namespace

std::string_view to_string(errc code) {
  for (const auto& [value, name] : names)
    if (value == code)
      return name;
  return "unknown_error";
}

std::optional<errc> errc_from_string(std::string_view name) {
  for (const auto& [value, text] : names)
    if (text == name)
      return value;
  return std::nullopt;
}

bool is_retryable(errc code) {
  switch (code) {
    case errc::rate_limited:
    case errc::overloaded:
    case errc::server_error:
    case errc::timeout:
    case errc::network:
      return true;
    default:
      return false;
  }
}

bool allows_fallback(errc code) {
  switch (code) {
    case errc::rate_limited:
    case errc::overloaded:
    case errc::server_error:
    case errc::timeout:
    case errc::network:
    case errc::context_overflow:
    case errc::provider_down:
    case errc::node_down:
    case errc::auth:        // a key that one provider rejects says nothing about the next
    case errc::unsupported: // a feature one protocol lacks (json_object on Anthropic), not all
    // Only a remote node answers a single attempt with all_failed (its own
    // router tried everything it has for the alias): the next candidate may
    // still succeed, and retrying the node would repeat all of its attempts.
    case errc::all_failed:
    case errc::bad_response: // another deployment may well answer in its protocol
      return true;
    default:
      return false;
  }
}

bool counts_toward_cooldown(errc code) {
  switch (code) {
    case errc::context_overflow:
    case errc::bad_request:
    case errc::unsupported:
    case errc::budget_exceeded:
    case errc::cancelled:
      return false;
    default:
      return true;
  }
}

std::string to_string(const failure& f) {
  std::string out{to_string(f.code)};
  if (!f.message.empty())
    out += ": " + f.message;
  if (f.http_status != 0 || f.retry_after.count() > 0) {
    out += " (";
    if (f.http_status != 0)
      out += "HTTP " + std::to_string(f.http_status);
    if (f.retry_after.count() > 0) {
      if (f.http_status != 0)
        out += ", ";
      out += "retry after " + std::to_string(f.retry_after.count()) + "ms";
    }
    out += ")";
  }
  return out;
}

failure make_failure(errc code, std::string message) {
  return failure{code, std::move(message), std::chrono::milliseconds{0}, 0};
}

} // namespace et
