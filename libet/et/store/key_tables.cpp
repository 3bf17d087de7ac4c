// The key store's derived tables (detail/derived.hpp): so that an admission reads a few rows
// however many records and reservations there are.

#include "et/store/detail/derived.hpp"
#include "et/store/detail/key_db.hpp"

namespace et::store::detail {

namespace {

// key_spend: each key's recorded spend per UTC day (budget_day and budget_total read it).
derived_table spend_table() {
  return {"key_spend",
          "CREATE TABLE key_spend (key TEXT NOT NULL, day_ms INTEGER NOT NULL, usd REAL NOT NULL, "
          "requests INTEGER NOT NULL, PRIMARY KEY (key, day_ms))",
          {"CREATE TRIGGER IF NOT EXISTS key_spend_of_record AFTER INSERT ON gateway_requests "
           "BEGIN INSERT INTO key_spend (key, day_ms, usd, requests) VALUES (NEW.key, "
           + utc_day_sql("NEW.unix_ms") + ", " + plausible_usd_sql("NEW.usd")
           + ", 1) ON CONFLICT (key, day_ms) DO UPDATE SET usd = usd + excluded.usd, requests = "
             "requests + 1; END"},
          "INSERT INTO key_spend (key, day_ms, usd, requests) SELECT key, " + utc_day_sql("unix_ms")
              + " AS day, SUM(" + plausible_usd_sql("usd")
              + "), COUNT(*) FROM gateway_requests GROUP BY key, day"};
}

// key_spend_total: each key's recorded spend ever (budget_total reads it; summing key_spend
// would read a row for every day the key was used).
derived_table spend_total_table() {
  return {"key_spend_total",
          "CREATE TABLE key_spend_total (key TEXT PRIMARY KEY, usd REAL NOT NULL, requests "
          "INTEGER NOT NULL)",
          {"CREATE TRIGGER IF NOT EXISTS key_spend_total_of_record AFTER INSERT ON "
           "gateway_requests BEGIN INSERT INTO key_spend_total (key, usd, requests) VALUES "
           "(NEW.key, "
           + plausible_usd_sql("NEW.usd")
           + ", 1) ON CONFLICT (key) DO UPDATE SET usd = usd + excluded.usd, requests = requests "
             "+ 1; END"},
          "INSERT INTO key_spend_total (key, usd, requests) SELECT key, SUM("
              + plausible_usd_sql("usd") + "), COUNT(*) FROM gateway_requests GROUP BY key"};
}

// key_changes: one row whose counter every write to gateway_keys raises, so that the key
// cache sees a change by reading one row (it counted every key, for every unknown key
// presented: 0.44 ms with 10,000 keys, on the HTTP thread, for anyone without a key).
derived_table changes_table() {
  auto raise = [](const char* when) {
    return std::string{"CREATE TRIGGER IF NOT EXISTS key_changes_on_"} + when + " AFTER " + when
           + " ON gateway_keys BEGIN INSERT INTO key_changes (id, changes) VALUES (1, 1) ON "
             "CONFLICT (id) DO UPDATE SET changes = changes + 1; END";
  };
  return {"key_changes",
          "CREATE TABLE key_changes (id INTEGER PRIMARY KEY CHECK (id = 1), changes INTEGER NOT "
          "NULL)",
          {raise("INSERT"), raise("UPDATE"), raise("DELETE")},
          "INSERT INTO key_changes (id, changes) VALUES (1, 0)"};
}

} // namespace

result<void> ensure_derived_tables(const key_store::db& d) {
  for (const auto& t : {spend_table(), spend_total_table(), changes_table()})
    if (auto r = ensure_derived(d, t); !r)
      return r;
  // What each process (holder) has reserved per key and not yet settled. Summing
  // key_reservations instead cost every admission a scan of every open reservation, records
  // waiting for their flush included: 20 us with none open, 653 us with 10,000. The index on
  // holder lets the look for dead processes skip from one holder to the next (key_budget.cpp)
  // instead of reading a row per key in use.
  auto reserved = reservation_sums("key_reserved", "key_reservations", {"key", "holder"});
  reserved.then.push_back("CREATE INDEX key_reserved_by_holder ON key_reserved(holder)");
  return ensure_derived(d, reserved);
}

} // namespace et::store::detail
