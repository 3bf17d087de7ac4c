#pragma once
/// Fetched pages in a prompt: each page's text cut by the index's chunker (the URL as its
/// path), the chunks ranked for the task with BM25 over the pages' own chunks, and the best
/// ones as a block under their sources, "URL:first-last".

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "et/context/fetch.hpp"
#include "et/context/index.hpp"

namespace et::context {

/// How many chunks of fetched pages a prompt gets at most.
constexpr size_t web_hits = 6;

/// Bytes of fetched text a prompt gets at most (whole chunks only).
constexpr size_t max_web_bytes = 8192;

/// The chunks of `pages` (hit.path = the page's URL), best match for `task` first; chunks
/// matching no word of the task follow, in page order (the user asked for those pages).
/// At most `k`.
std::vector<hit> rank_pages(const std::vector<fetched_page>& pages, std::string_view task,
                            size_t k = web_hits);

/// A header line, then each hit quoted under its source "URL:start-end" (quoted_block), as
/// many whole hits as fit in `max_bytes`. "" when none.
std::string web_block(const std::vector<hit>& hits, size_t max_bytes = max_web_bytes);

} // namespace et::context
