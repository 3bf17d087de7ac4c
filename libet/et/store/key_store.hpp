#pragma once
/// The gateway's keys, in the ledger's SQLite file: each key stored as the SHA-256 of its
/// text (the text itself is shown once, by create(), and never stored), with its limits;
/// per-key budget reservations and one-minute rate windows that every process sharing the
/// file sees (each check-and-reserve and each settle is one BEGIN IMMEDIATE transaction);
/// and one row per gateway request with the key's name, for `et cost --by key`.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/llm/chat.hpp"
#include "et/store/sqlite_wait.hpp"
#include "et/util/result.hpp"

namespace et::store {

/// What a key may do; unset limits do not limit.
struct key_limits {
  std::optional<double> budget_day;   ///< USD per UTC day
  std::optional<double> budget_total; ///< USD over the key's life
  std::vector<std::string> models;    ///< the `model` names it may use (empty: any)
  std::optional<int64_t> rpm;         ///< requests per one-minute window
  std::optional<int64_t> tpm;         ///< tokens (estimated, then actual) per window
  /// Field-wise equality.
  bool operator==(const key_limits&) const = default;
};

/// A key as listed: never its text or hash.
struct key_info {
  std::string name;       ///< its name
  int64_t created_ms = 0; ///< when it was created, ms since the Unix epoch
  key_limits limits;      ///< its limits
  bool revoked = false;   ///< revoked keys are refused
  double spent_day = 0;   ///< recorded USD since the start of the UTC day
  double spent_total = 0; ///< recorded USD ever
  int64_t requests = 0;   ///< gateway requests recorded
};

/// One gateway request as recorded.
struct key_request {
  std::string key;           ///< the key's name ("" in open mode)
  std::string model;         ///< the `model` the client named
  int64_t unix_ms = 0;       ///< when it finished
  usage tokens;              ///< what the answer reported
  std::optional<double> usd; ///< its cost (nullopt: unpriced or nothing was answered)
  int status = 0;            ///< the HTTP status the client got
};

/// An admission asked before a request is sent.
struct key_use {
  std::string name;   ///< the key
  double usd = 0;     ///< the request's worst-case cost
  int64_t tokens = 0; ///< its worst-case tokens (prompt estimate + max_tokens)
  int64_t now_ms = 0; ///< now, ms since the Unix epoch
};

/// One settle of a batch: the reservation to release (0: none) and the record to write.
struct key_settlement {
  int64_t id = 0;     ///< the reservation
  key_request record; ///< the request as answered
};

/// Which limit refused a request.
enum class key_refusal : uint8_t { none, budget_day, budget_total, rpm, tpm };

/// The store's answer to a key_use.
struct key_admission {
  int64_t id = 0;                      ///< the reservation to settle; 0 when refused
  key_refusal why = key_refusal::none; ///< the limit that refused it
  std::string message;                 ///< names the key, the limit and the numbers
  int64_t retry_after_s = 0;           ///< for rpm/tpm: until the window turns
};

/// Whether `name` may name a key: 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or
/// digit. The failure (invalid_input) says why.
result<void> check_key_name(std::string_view name);

/// A new key: "et-" and 32 random bytes (OpenSSL RAND_bytes) in unpadded base64url.
result<std::string> generate_key();

/// The lowercase hex SHA-256 of `key`: what the store keeps and looks up by.
std::string hash_key(std::string_view key);

/// The keys and their spend. Calls block (SQLite, waiting for other processes up
/// to 5 s): use them from a thread of one's own, never a scheduler thread.
class key_store {
public:
  /// Opens (creating as needed, 0600) the SQLite file `file`, the ledger's. Reservations are
  /// held by `holder` (default: this process); those of processes that are gone are dropped.
  /// `wait`: how statements wait for other processes, how often a settle is retried.
  static result<std::unique_ptr<key_store>> open(const std::filesystem::path& file,
                                                 std::string holder = {}, sqlite_wait wait = {});
  ~key_store();
  key_store(const key_store&) = delete;
  key_store& operator=(const key_store&) = delete;

  /// Creates key `name`; its text, which is nowhere else. invalid_input for a bad name or
  /// limit, invalid_input naming the key when the name is taken (revoked keys included).
  result<std::string> create(const std::string& name, const key_limits& limits, int64_t now_ms);
  /// Every key, by name, with its spend at `now_ms`.
  result<std::vector<key_info>> list(int64_t now_ms) const;
  /// Revokes `name`: true when it was active, false when it was revoked already (revoking
  /// twice is fine); not_found when there is none.
  result<bool> revoke(const std::string& name);
  /// Whether some key is not revoked: then every gateway request needs one.
  result<bool> any_active() const;
  /// The key whose text is `presented`, revoked or not; nullopt for none.
  result<std::optional<key_info>> find(std::string_view presented) const;

  /// In one exclusive transaction: refuses the request if the key's rpm or tpm window, its
  /// day's or its total budget would be crossed (recorded spend + live reservations + `use`),
  /// else reserves `use.usd` and counts the request and its tokens in the current window.
  result<key_admission> admit(const key_use& use);
  /// In one transaction: releases reservation `id` (0: none), corrects its window's tokens
  /// to the actual count and records `rec`. Retried while another process holds the file
  /// (see sqlite_wait); errc::timeout when it still does.
  result<void> settle(int64_t id, const key_request& rec);
  /// admit() for each of `uses`, in order, in one exclusive transaction, so that one
  /// commit serves many requests: each later use sees the reservations of the earlier
  /// ones. One answer per use (errc::auth for a key unknown or revoked); the whole batch
  /// fails when the transaction does (another process held the file past the wait). The
  /// commit does not wait for the disk (synchronous=NORMAL): what a power cut can undo are
  /// reservations of a process that died with it, void anyway, and window counts of the
  /// last moments before it.
  result<std::vector<result<key_admission>>> admit_all(const std::vector<key_use>& uses);
  /// settle() for each of `batch` in one transaction, synced to disk (synchronous=FULL)
  /// before it returns: a record is spend. Retried like settle().
  result<void> settle_all(const std::vector<key_settlement>& batch);
  /// Gateway requests finished at or after `unix_ms`, oldest first.
  result<std::vector<key_request>> requests_since(int64_t unix_ms) const;

  struct db; ///< internal

private:
  friend class key_cache;
  explicit key_store(std::unique_ptr<db> d);
  std::unique_ptr<db> db_;
};

} // namespace et::store
