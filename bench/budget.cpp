// et-bench-budget: what one budget check costs as a state dir grows. A gateway key's
// admission (its check and reservation in one transaction) with N reservations open, with N
// other keys in use, and with a total budget used on N days, and an `et run` per_day reservation in
// the ledger with N calls recorded that day, each in a fresh SQLite file in a temporary folder.
// Both read sums kept by triggers (store/detail/derived.hpp); the rows show that their cost stays
// flat where a scan's grew with N.
//
//   et-bench-budget [--sizes 0,1000,10000] [--checks 2000] [--json FILE]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "et/store/key_store.hpp"
#include "et/store/ledger_store.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr int64_t t0 = 1'700'000'000'000; // a fixed "now", ms
constexpr const char* usage = "[--sizes 0,1000,10000] [--checks 2000] [--json FILE]";

double micros_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
}

// A key store in `dir` with key "k" (a total budget and an rpm limit that never refuse), or
// nullptr when it cannot be made.
std::unique_ptr<et::store::key_store> key_store_with_k(const fs::path& dir) {
  auto store = et::store::key_store::open(dir / "keys.sqlite", "bench");
  et::store::key_limits l;
  l.budget_total = 1e9;
  l.rpm = 1'000'000'000;
  if (!store || !(*store)->create("k", l, t0))
    return nullptr;
  return std::move(*store);
}

// Median microseconds of `checks` admissions of "k", each settled at once (so what is open
// stays as the caller left it); -1 when one is refused or fails.
double time_admissions(et::store::key_store& store, int64_t checks) {
  std::vector<double> samples;
  for (int64_t i = 0; i < checks; ++i) {
    auto start = clock_type::now();
    auto a = store.admit({"k", 1e-6, 1, t0});
    samples.push_back(micros_since(start));
    if (!a || a->id == 0 || !store.settle(a->id, {"k", "m", t0, {}, 1e-6, 200}))
      return -1;
  }
  return et::bench::percentile(samples, 0.5);
}

// With `open` reservations of "k" left open.
double key_admission(const fs::path& dir, int64_t open, int64_t checks) {
  auto store = key_store_with_k(dir);
  std::vector<et::store::key_use> uses(static_cast<size_t>(open), {"k", 1e-6, 1, t0});
  if (!store || (!uses.empty() && !store->admit_all(uses)))
    return -1;
  return time_admissions(*store, checks);
}

// While `keys` other keys each have a request in flight (a reservation open and a rate window
// this minute).
double other_keys(const fs::path& dir, int64_t keys, int64_t checks) {
  auto store = key_store_with_k(dir);
  if (!store)
    return -1;
  std::vector<et::store::key_use> uses;
  for (int64_t i = 0; i < keys; ++i) {
    auto name = "other-" + std::to_string(i);
    if (!store->create(name, {}, t0))
      return -1;
    uses.push_back({name, 1e-6, 1, t0});
  }
  if (!uses.empty() && !store->admit_all(uses))
    return -1;
  return time_admissions(*store, checks);
}

// With "k" used on `days` days before (its total budget sums them).
double key_total(const fs::path& dir, int64_t days, int64_t checks) {
  auto store = key_store_with_k(dir);
  std::vector<et::store::key_settlement> records;
  for (int64_t d = 0; d < days; ++d)
    records.push_back({0, {"k", "m", t0 - d * 86'400'000, {}, 1e-6, 200}});
  if (!store || (!records.empty() && !store->settle_all(records)))
    return -1;
  return time_admissions(*store, checks);
}

// Median microseconds of `checks` per_day reservations with `calls` recorded that day.
double ledger_reservation(const fs::path& dir, int64_t calls, int64_t checks) {
  auto ledger = et::store::open_sqlite_ledger(dir / "ledger.sqlite", "bench");
  if (!ledger)
    return -1;
  std::vector<et::store::ledger_write> batch;
  for (int64_t i = 0; i < calls; ++i) {
    et::store::stored_call c;
    c.call.role = "polecat";
    c.call.alias = c.call.provider = c.call.model = "m";
    c.call.usd = 1e-6;
    c.call.ok = true;
    c.call.outcome = "ok";
    c.call.unix_ms = t0 - i % 1000;
    batch.push_back({0, c});
    if (batch.size() == 1000 || i + 1 == calls) {
      if (!(*ledger)->write_all(batch))
        return -1;
      batch.clear();
    }
  }
  std::vector<double> samples;
  for (int64_t i = 0; i < checks; ++i) {
    auto start = clock_type::now();
    auto g = (*ledger)->reserve({1e-6, 1e9, et::store::start_of_utc_day(t0)});
    samples.push_back(micros_since(start));
    if (!g || g->id == 0 || !(*ledger)->settle(g->id, nullptr))
      return -1;
  }
  return et::bench::percentile(samples, 0.5);
}

} // namespace

int main(int argc, char** argv) {
  if (auto code = et::bench::check_flags(argc, argv, "et-bench-budget", usage,
                                         {"--sizes", "--checks", "--json"});
      code >= 0)
    return code;
  auto sizes_text = et::bench::option(argc, argv, "--sizes");
  auto sizes =
      et::bench::whole_numbers(sizes_text.empty() ? "0,1000,10000" : sizes_text, 0, 1'000'000);
  if (!sizes || sizes->empty()) {
    std::fprintf(stderr, "et-bench-budget: --sizes: expected whole numbers up to 1000000, "
                         "separated by commas\n");
    return 2;
  }
  int64_t checks = 2000;
  if (auto text = et::bench::option(argc, argv, "--checks"); !text.empty()) {
    auto n = et::bench::whole_number(text);
    if (!n || *n < 1 || *n > 1'000'000) {
      std::fprintf(stderr, "et-bench-budget: --checks: expected a whole number, 1 to 1000000\n");
      return 2;
    }
    checks = *n;
  }
  char tmpl[] = "/tmp/et-bench-budget-XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::fprintf(stderr, "et-bench-budget: cannot make a temporary folder\n");
    return 1;
  }
  fs::path dir{tmpl};
  std::printf("one budget check (median of %lld), state on %s\n", static_cast<long long>(checks),
              tmpl);
  std::printf("%-34s %10s %10s\n", "check", "N", "p50 us");
  std::vector<et::bench::json_row> rows;
  int failures = 0;
  for (auto n : *sizes) {
    struct {
      const char* name;
      double us;
    } done[] = {
        {"key admission, N reservations open",
         key_admission(dir / ("k" + std::to_string(n)), n, checks)},
        {"key admission, N other keys in use",
         other_keys(dir / ("o" + std::to_string(n)), n, checks)},
        {"key budget_total, used on N days", key_total(dir / ("t" + std::to_string(n)), n, checks)},
        {"ledger per_day, N calls that day",
         ledger_reservation(dir / ("l" + std::to_string(n)), n, checks)},
    };
    for (const auto& d : done) {
      failures += d.us < 0;
      std::printf("%-34s %10lld %10.1f\n", d.name, static_cast<long long>(n), d.us);
      rows.push_back(et::bench::json_row{}
                         .add("bench", "budget")
                         .add("check", d.name)
                         .add("n", n)
                         .add("p50_us", d.us));
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (failures > 0)
    std::fprintf(stderr, "et-bench-budget: %d checks failed\n", failures);
  if (!et::bench::save_json(et::bench::json_path(argc, argv), rows, "et-bench-budget"))
    return 1;
  return failures > 0 ? 1 : 0;
}
