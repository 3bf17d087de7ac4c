#pragma once
/// Embedding requests and answers, as providers and the router see them.
/// Plain structs, no I/O, no CAF.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "et/llm/chat.hpp"
#include "et/llm/fallback.hpp"

namespace et {

/// The largest vector dimension accepted from upstream (larger answers are refused).
inline constexpr size_t max_embed_dimension = 16384;

/// The largest number of inputs one embedding call may carry.
inline constexpr size_t max_embed_inputs = 2048;

/// Texts to embed with one model; never mutated between attempts.
struct embed_request {
  std::string model;               ///< the provider's model id
  std::vector<std::string> inputs; ///< texts, one vector each, in order
  bool operator==(const embed_request&) const = default;
};

/// The vectors of one embedding call.
struct embed_response {
  std::string model;                       ///< the model that answered (as requested when unsaid)
  std::vector<std::vector<float>> vectors; ///< one per input, in order, all one dimension
  usage tokens;                            ///< prompt_tokens billed
  std::optional<double> usd;               ///< cost when priced where it was served
  bool operator==(const embed_response&) const = default;
};

/// An embedding request for a role, as the router takes it.
struct role_embed_request {
  uint64_t id = 0;                    ///< the caller's id for it, used to cancel
  std::string role = "embed";         ///< the role the ledger records
  std::string target;                 ///< alias or provider/model: the first candidate
  std::vector<std::string> fallbacks; ///< tried in order after it
  std::vector<std::string> inputs;    ///< texts to embed
  bool operator==(const role_embed_request&) const = default;
};

/// The router's answer to an embedding request: the vectors and who gave them.
struct routed_embedding {
  embed_response response;               ///< the vectors
  std::string alias;                     ///< alias of the deployment that answered
  std::string provider;                  ///< provider name
  std::string model;                     ///< model id
  int32_t attempts = 0;                  ///< attempts made in total
  std::vector<fallback_taken> fallbacks; ///< fallbacks taken on the way, in order
  bool operator==(const routed_embedding&) const = default;
};

} // namespace et
