#pragma once
/// Trusting configuration files found implicitly (./electrictown.yaml in the
/// working directory, e.g. inside a cloned repository): such a file can name
/// any environment variable in api_key or headers and point base_url at any
/// host, so et uses it only once the user has trusted its exact bytes at its
/// exact path (like direnv and mise). Records live in a file in the default
/// state directory, which no configuration can move.

#include <filesystem>
#include <string>
#include <string_view>

#include "et/config/env.hpp"
#include "et/util/result.hpp"

namespace et::config {

/// SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

/// The trust records: $XDG_STATE_HOME/electrictown/trusted-configs, else
/// ~/.local/state/electrictown/trusted-configs. defaults.state_dir does not
/// move it: an untrusted file must not choose where its own trust is looked up.
std::filesystem::path trust_file(const env_lookup& env);

/// What the records say about a file's current bytes.
enum class trust_verdict : uint8_t {
  trusted, ///< this path was trusted with exactly these bytes
  unknown, ///< this path was never trusted (or was untrusted)
  changed, ///< this path was trusted, but with other bytes
};

/// The records in one file: lines "SHA256-HEX<TAB>CANONICAL-PATH", one per
/// trusted file, written atomically with mode 0600 in a 0700 directory.
class trust_store {
public:
  /// Records kept in `file` (it need not exist yet).
  explicit trust_store(std::filesystem::path file);

  /// The verdict for `config` (an existing file) holding `bytes`: the bytes et
  /// is about to parse, so what was checked is what is used.
  result<trust_verdict> check(const std::filesystem::path& config, std::string_view bytes) const;

  /// Records `config` as trusted with `bytes`, replacing an older record of its path.
  result<void> trust(const std::filesystem::path& config, std::string_view bytes) const;

  /// Removes the record of `config`; false when there was none.
  result<bool> untrust(const std::filesystem::path& config) const;

  /// Where the records are.
  const std::filesystem::path& file() const { return file_; }

private:
  std::filesystem::path file_;
};

} // namespace et::config
