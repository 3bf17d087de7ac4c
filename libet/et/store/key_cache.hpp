#pragma once
/// The gateway's keys in memory, for authenticating a request without waiting behind the
/// key store's writes: a copy of the keys table (hashes, names, limits, revoked), read over
/// a connection of its own and read again when the table changed. A change is seen by a
/// counter that triggers in the file raise with every write to the table (key_changes, one
/// row: a check reads one row however many keys there are, so a flood of unknown keys costs
/// no scan), checked at most every `refresh` and whenever a presented key is not in the copy.
///
/// What this means across processes: a key created by `et keys create` (or another
/// gateway) is known at once, since an unknown key makes the check; a revoke is seen
/// within `refresh`. The cache only authenticates: every admission re-reads the key in its
/// own transaction (key_store::admit) and refuses a revoked key there, so a revoked key
/// gets no further request through any process at once. What `refresh` delays is only
/// the lookup-only path (GET /v1/models) and, for requests that present no known key, the
/// switch between open mode and keyed mode when the first key is made or the last revoked.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "et/store/key_store.hpp"
#include "et/util/result.hpp"

namespace et::store {

/// A copy of the keys table; thread-safe.
class key_cache {
public:
  /// What a lookup found.
  struct answer {
    std::optional<key_info> key; ///< the presented key (revoked or not); nullopt for none
    int64_t active = 0;          ///< keys not revoked (0: the gateway is open)
  };

  /// Opens its own connection to `file` (the ledger) and reads the keys.
  static result<std::unique_ptr<key_cache>> open(const std::filesystem::path& file,
                                                 std::chrono::milliseconds refresh);

  /// The key whose text is `presented` ("" for none), checking for changes first when the
  /// copy is older than `refresh` or does not hold the key.
  result<answer> lookup(std::string_view presented);

  /// Checks for changes now, whatever the copy's age.
  result<void> refresh();

  /// Keys not revoked, after a check for changes.
  result<int64_t> active();

private:
  explicit key_cache(std::unique_ptr<key_store> reader, std::chrono::milliseconds refresh)
      : reader_(std::move(reader)), refresh_(refresh) {}
  result<void> refresh_locked();

  std::unique_ptr<key_store> reader_; ///< only ever read through
  std::chrono::milliseconds refresh_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point checked_{};
  std::optional<int64_t> generation_; ///< key_changes when the copy was read
  std::unordered_map<std::string, key_info> by_hash_;
  int64_t active_ = 0;
};

} // namespace et::store
