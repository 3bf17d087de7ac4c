#pragma once
/// What the key store's suites share: a store file in a directory of its own, removed after,
/// and a request record to settle.

#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include "caf/test/unit_test.hpp"
#include "et/store/key_store.hpp"

namespace et::test::keys {

namespace fs = std::filesystem;

/// Some time, ms since the epoch, and a day.
inline constexpr int64_t t0 = 1'700'000'000'000;
inline constexpr int64_t day = 86'400'000;

/// A key store file of its own.
struct fixture {
  fs::path dir;
  fs::path file;
  fixture() {
    std::string tmpl = (fs::temp_directory_path() / "et-keys-test-XXXXXX").string();
    CAF_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
    file = dir / "state" / "ledger.sqlite";
  }
  ~fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::unique_ptr<store::key_store> open(std::string holder = {}) {
    auto s = store::key_store::open(file, std::move(holder));
    CAF_REQUIRE(s);
    return std::move(*s);
  }
};

/// An answered request of `key` at `at_ms`: 10 + 20 tokens for `usd`.
inline store::key_request answer(const std::string& key, double usd, int64_t at_ms) {
  store::key_request r;
  r.key = key;
  r.model = "gpt";
  r.unix_ms = at_ms;
  r.tokens.prompt_tokens = 10;
  r.tokens.completion_tokens = 20;
  r.usd = usd;
  r.status = 200;
  return r;
}

} // namespace et::test::keys
