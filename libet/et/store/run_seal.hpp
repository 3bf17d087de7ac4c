#pragma once
/// A run's seal: what a resumed run acts on (its task, config file, output dir, verify command,
/// iterations, roles and criteria) under an HMAC-SHA256 keyed by a secret of the state dir
/// (`run-seal.key`, 0600, made on first use). A journal copied in from elsewhere (a runs dir
/// inside a shared repository), or edited, does not carry this state dir's seal, so
/// `et run --resume` does not run its verify command or write into its output dir unless the
/// user says so (`--trust-journal`).

#include <filesystem>
#include <string>
#include <string_view>

#include "et/store/journal.hpp"
#include "et/util/result.hpp"

namespace et::store {

/// The state dir's seal key, made (32 random bytes, 0600) when there is none yet.
result<std::string> run_seal_key(const std::filesystem::path& state_dir);

/// The seal of `h` under `key`: 64 hex digits.
std::string seal_of(const run_header& h, std::string_view key);

/// Whether `h` carries the seal `key` gives it.
bool sealed_by(const run_header& h, std::string_view key);

} // namespace et::store
