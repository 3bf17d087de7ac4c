#pragma once
/// Fetched pages kept in the state dir, so that a run repeated within a day does not fetch
/// again: one JSON file per URL (fetch/<SHA-256 of the key>.json, 0600), written through a
/// temporary file and a rename. A file that does not parse, names another URL, or has a
/// fetch time in the future is ignored (and replaced by the next fetch), never trusted.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "et/util/result.hpp"

namespace et::context {

/// A page as cached.
struct cached_page {
  std::string key;        ///< what the cache file is for: the URL (and reader, if any)
  std::string url;        ///< the URL as given
  std::string title;      ///< the page's title
  std::string text;       ///< the page as text
  int64_t fetched_ms = 0; ///< when it was fetched (Unix ms)
};

/// The cache file of `key` under `state_dir`.
std::filesystem::path cache_file(const std::filesystem::path& state_dir, const std::string& key);

/// The page cached for `key`, when its file is valid, names `key`, and was fetched no longer
/// than `ttl` before `now_ms` (and not after it); nullopt otherwise (a zero ttl: never).
std::optional<cached_page> load_cached(const std::filesystem::path& state_dir,
                                       const std::string& key, int64_t now_ms,
                                       std::chrono::milliseconds ttl);

/// Writes `page` for page.key (folder 0700, file 0600, replaced atomically).
result<void> store_cached(const std::filesystem::path& state_dir, const cached_page& page);

} // namespace et::context
