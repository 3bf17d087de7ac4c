#pragma once
/// Retrieved chunks as a block of a prompt, each under its source.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/context/index.hpp"

namespace et::context {

/// Bytes of retrieved text a prompt gets at most (whole chunks only).
constexpr size_t max_context_bytes = 8192;

/// How many chunks a run retrieves for its task.
constexpr size_t context_hits = 8;

/// A header line, then each hit quoted under its source "path:start-end" (et/util/quote.hpp),
/// best first, as many whole hits as fit in `max_bytes` of chunk text. "" when `hits` is
/// empty or none fits.
std::string context_block(const std::vector<hit>& hits, size_t max_bytes = max_context_bytes);

/// Retrieved chunks as a prompt block, and the sources that made it in.
struct excerpts {
  std::string block;                ///< context_block's text ("" = none)
  std::vector<std::string> sources; ///< "path:start-end" of each hit in the block, best first
  bool operator==(const excerpts&) const = default;
};

/// What a subtask's retrieval found, and whether the embedding it was given ranked it.
struct ranked_excerpts {
  excerpts found;      ///< the block and its sources
  bool hybrid = false; ///< ranked by BM25 and the text's embedding (false: BM25 alone)
  std::string why;     ///< why an embedding it was given did not rank it ("" otherwise)
};

/// Retrieval for a subtask's text; `vector` is the text's embedding when there is one (null:
/// BM25 alone). Blocking: a query on disk, or to Qdrant.
using excerpt_source =
    std::function<ranked_excerpts(const std::string& text, const std::vector<float>* vector)>;

/// `intro` and the rule of the quote marks on one line, then the hits that fit in `max_bytes`
/// of text (whole hits, in order; a smaller one further down may still fit), each quoted under
/// its source. "" when none fits. `sources` (when given) gets the sources of those that fit.
std::string quoted_block(const std::vector<hit>& hits, size_t max_bytes, std::string_view intro,
                         std::vector<std::string>* sources = nullptr);

/// context_block of `hits` with the sources of the hits that fit.
excerpts excerpts_of(const std::vector<hit>& hits, size_t max_bytes = max_context_bytes);

/// Bytes of retrieved text a prompt to a model with an input window of `window` tokens
/// gets: an eighth of the window at about 4 bytes a token, at least 2 KiB and at most
/// 32 KiB; max_context_bytes when the window is unknown.
size_t context_budget(std::optional<int64_t> window);

/// "path:start-end" of a hit.
std::string source_of(const hit& h);

} // namespace et::context
