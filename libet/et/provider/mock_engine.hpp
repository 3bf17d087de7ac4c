#pragma once
/// The brain of the in-process mock provider: decides, deterministically, what
/// a request gets (a scripted, fixed or echoed reply, or an injected error),
/// how it is cut into streamed pieces and at what pace. It does no I/O and
/// keeps no timers, so it is tested directly; the provider actor plays the plan.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "et/config/settings.hpp"
#include "et/llm/chat.hpp"
#include "et/llm/embed.hpp"

namespace et::provider {

/// What one request gets from the mock.
struct mock_plan {
  std::optional<failure> error;             ///< set when a fault was injected
  std::vector<std::string> pieces;          ///< the reply cut into streamed pieces
  std::chrono::milliseconds first_delay{0}; ///< before the first piece
  std::chrono::milliseconds piece_delay{0}; ///< between pieces
  chat_response response;                   ///< the whole answer with usage
};

/// The mock's embeddings: a hashed bag of lower-cased words per input (dimension 64,
/// unit length), so texts sharing words get similar vectors; one prompt token per word.
embed_response mock_embed(const embed_request& req);

/// Plans mock answers. Thread-safe: calls are numbered in arrival order.
class mock_engine {
public:
  /// An engine answering with the given settings.
  explicit mock_engine(config::mock_settings settings);

  /// Plans the answer to `req` (numbering it as the next call).
  mock_plan answer(const chat_request& req);

  /// The models the mock lists: `settings.models`, else `fallback`.
  std::vector<model_info> models(const std::vector<std::string>& fallback) const;

  /// Tokens the mock bills for a text: one per started group of 4 bytes.
  static int64_t count_tokens(std::string_view text);

  /// The prompt tokens the mock bills for `req` (what its count answers).
  static int64_t prompt_tokens(const chat_request& req);

  /// Cuts a reply into streamed pieces: words with their following spaces.
  static std::vector<std::string> split_pieces(std::string_view text);

private:
  std::optional<failure> fault_for(uint64_t call);
  std::string reply_for(const chat_request& req, uint64_t call) const;

  config::mock_settings settings_;
  std::mutex mutex_;
  uint64_t calls_ = 0;
  std::mt19937_64 random_;
};

} // namespace et::provider
