#pragma once
/// The fake upstream's embedding endpoints (OpenAI /v1/embeddings, Ollama
/// /api/embed, Gemini :batchEmbedContents), written from the providers'
/// documentation. Vectors are deterministic: a hashed bag of lower-cased words,
/// normalised, so texts that share words get similar vectors.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols.hpp"

namespace et::fake {

/// What an embedding body asks for.
struct embed_input {
  std::string model;              ///< model id (Gemini: from the path)
  std::vector<std::string> texts; ///< the inputs, in order
  int64_t prompt_tokens = 0;      ///< words in all inputs
};

/// Parses an embedding body of protocol `p`; nullopt when it is not a JSON object
/// with the protocol's inputs.
std::optional<embed_input> parse_embed(protocol p, std::string_view model_from_path,
                                       std::string_view body);

/// The vector of `text`: `dim` components, unit length (a text without words: e0).
std::vector<float> fake_vector(std::string_view text, size_t dim);

/// The 2xx body answering `in` with vectors of dimension `dim` in protocol `p`.
std::string embed_body(protocol p, const embed_input& in, size_t dim);

} // namespace et::fake
