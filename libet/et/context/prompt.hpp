#pragma once
/// Retrieved chunks as a block of a prompt, each under its source.

#include <cstddef>
#include <string>
#include <vector>

#include "et/context/index.hpp"

namespace et::context {

/// Bytes of retrieved text a prompt gets at most (whole chunks only).
constexpr size_t max_context_bytes = 8192;

/// How many chunks a run retrieves for its task.
constexpr size_t context_hits = 8;

/// A header line, then each hit as "--- path:start-end" and its text, best first, as many
/// whole hits as fit in `max_bytes` of chunk text. "" when `hits` is empty or none fits.
std::string context_block(const std::vector<hit>& hits, size_t max_bytes = max_context_bytes);

/// "path:start-end" of a hit.
std::string source_of(const hit& h);

} // namespace et::context
