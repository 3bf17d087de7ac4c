#pragma once
/// What the fake upstream has billed: every chat answer it sent in full and
/// without a fault, with the usage it reported. Faulty answers (cut, malformed,
/// error events, status errors, hangs) and streams still held bill nothing, as
/// a provider bills only answers it completed. The soak compares et's ledger
/// with these totals to the token.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace et::fake {

/// Usage billed for one model (or in total).
struct served_usage {
  uint64_t answers = 0;           ///< answers sent in full
  uint64_t prompt_tokens = 0;     ///< their reported prompt tokens
  uint64_t completion_tokens = 0; ///< their reported completion tokens
};

/// Everything billed so far.
struct served_report {
  served_usage total;                         ///< all models
  std::map<std::string, served_usage> models; ///< by model id as requested
  std::map<std::string, uint64_t> texts;      ///< answer text -> times it was sent in full
};

/// Thread-safe tally of completed answers.
class served_tally {
public:
  /// Counts one answer of `model` whose last byte was written.
  void add(const std::string& model, const std::string& text, int64_t prompt_tokens,
           int64_t completion_tokens);
  /// A copy of the tally.
  served_report snapshot() const;

private:
  mutable std::mutex mutex_;
  served_report report_;
};

} // namespace et::fake
