#include "et/llm/fallback.hpp"

namespace et {

std::string reason_text(errc reason) {
  switch (reason) {
    case errc::rate_limited:
      return "rate limited";
    case errc::overloaded:
      return "overloaded";
    case errc::server_error:
      return "server error";
    case errc::timeout:
      return "timed out";
    case errc::network:
      return "network error";
    case errc::context_overflow:
      return "context too long";
    case errc::auth:
      return "authentication failed";
    case errc::provider_down:
      return "provider down";
    case errc::node_down:
      return "node down";
    case errc::all_failed:
      return "every candidate failed";
    case errc::bad_response:
      return "unusable answer";
    case errc::budget_exceeded:
      return "over budget";
    case errc::unsupported:
      return "cannot do what was asked";
    default:
      // Reasons the router never falls back on still read sensibly.
      return std::string{to_string(reason)};
  }
}

std::string describe(const fallback_taken& f, bool answered) {
  std::string why = reason_text(f.reason);
  if (f.http_status != 0)
    why = std::to_string(f.http_status) + " " + why;
  if (f.skipped)
    why = f.reason == errc::provider_down ? "skipped (provider down)"
                                          : "skipped (cooling down after " + why + ")";
  std::string out = f.from + ": " + why;
  if (f.to.empty())
    return out + "; nothing left to try";
  return out + (answered ? "; answered by " : "; fell back to ") + f.to;
}

void count_fallbacks(fallback_counts& counts, const std::vector<fallback_taken>& taken) {
  for (const auto& f : taken)
    ++counts[f.reason];
}

std::string counts_text(const fallback_counts& counts) {
  int total = 0;
  std::string parts;
  for (const auto& [reason, n] : counts) {
    total += n;
    parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " + std::string{to_string(reason)};
  }
  if (total == 0)
    return {};
  return std::to_string(total) + (total == 1 ? " fallback: " : " fallbacks: ") + parts;
}

} // namespace et
