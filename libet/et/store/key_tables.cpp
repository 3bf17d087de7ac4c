// The key store's derived tables: sums that SQL triggers in the file keep from the rows they
// sum, so that an admission reads a few rows however many records and reservations there are.

#include <string>
#include <vector>

#include "et/llm/plausible.hpp"
#include "et/store/detail/key_db.hpp"

namespace et::store::detail {

namespace {

// A table kept by triggers in the file: every process that writes the rows it sums keeps it
// too, an et from before the table included. A file without it gets it, with its triggers,
// filled from the rows already there, once, in one transaction; a plain read finds it there
// every other time, so opening a store to read never waits for a writer.
struct derived_table {
  const char* name;                  // the table
  std::string create;                // CREATE TABLE
  std::vector<std::string> triggers; // CREATE TRIGGER ... that keep it
  std::string fill;                  // INSERT ... SELECT from the rows there now
};

result<bool> has_table(const key_store::db& d, const char* name) {
  checked_statement there{d, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"};
  there.bind(1, std::string_view{name});
  auto n = there.scalar("look for a table");
  if (!n)
    return n.error();
  return *n > 0;
}

result<void> ensure(const key_store::db& d, const derived_table& t) {
  auto there = has_table(d, t.name);
  if (!there || *there)
    return there ? result<void>{} : there.error();
  return d.transaction([&]() -> result<void> {
    auto now = has_table(d, t.name); // another process may have made it meanwhile
    if (!now || *now)
      return now ? result<void>{} : now.error();
    if (auto r = d.exec(t.create.c_str(), "create a derived table"); !r)
      return r;
    for (const auto& trigger : t.triggers)
      if (auto r = d.exec(trigger.c_str(), "create a trigger"); !r)
        return r;
    return d.exec(t.fill.c_str(), "fill a derived table");
  });
}

// The UTC day of a record as start_of_utc_day reckons it, and its amount as spend counts it
// (implausible amounts, NULL included, count nothing).
std::string spend_day(const char* ms) {
  return std::string{ms} + " - (((" + ms + " % 86400000) + 86400000) % 86400000)";
}
std::string spend_usd(const char* usd) {
  return std::string{"(CASE WHEN "} + usd + " >= 0 AND " + usd
         + " <= " + std::to_string(static_cast<int64_t>(max_usd)) + " THEN " + usd + " ELSE 0 END)";
}

// key_spend: each key's recorded spend per UTC day (budget_day and budget_total read it).
derived_table spend_table() {
  return {"key_spend",
          "CREATE TABLE key_spend (key TEXT NOT NULL, day_ms INTEGER NOT NULL, usd REAL NOT NULL, "
          "requests INTEGER NOT NULL, PRIMARY KEY (key, day_ms))",
          {"CREATE TRIGGER IF NOT EXISTS key_spend_of_record AFTER INSERT ON gateway_requests "
           "BEGIN INSERT INTO key_spend (key, day_ms, usd, requests) VALUES (NEW.key, "
           + spend_day("NEW.unix_ms") + ", " + spend_usd("NEW.usd")
           + ", 1) ON CONFLICT (key, day_ms) DO UPDATE SET usd = usd + excluded.usd, requests = "
             "requests + 1; END"},
          "INSERT INTO key_spend (key, day_ms, usd, requests) SELECT key, " + spend_day("unix_ms")
              + " AS day, SUM(" + spend_usd("usd")
              + "), COUNT(*) FROM gateway_requests GROUP BY key, day"};
}

// key_reserved: what each process (holder) has reserved per key and not yet settled. Summing
// key_reservations instead cost every admission a scan of every open reservation, records
// waiting for their flush included: 22 us with none open, 178 us with 5,000.
derived_table reserved_table() {
  return {"key_reserved",
          "CREATE TABLE key_reserved (key TEXT NOT NULL, holder TEXT NOT NULL, usd REAL NOT NULL, "
          "requests INTEGER NOT NULL, PRIMARY KEY (key, holder))",
          {"CREATE TRIGGER IF NOT EXISTS key_reserved_add AFTER INSERT ON key_reservations BEGIN "
           "INSERT INTO key_reserved (key, holder, usd, requests) VALUES (NEW.key, NEW.holder, "
           "NEW.usd, 1) ON CONFLICT (key, holder) DO UPDATE SET usd = usd + excluded.usd, "
           "requests = requests + 1; END",
           // A holder's row goes with its last reservation: the sum starts again from 0
           // rather than carry rounding from adding and taking away.
           "CREATE TRIGGER IF NOT EXISTS key_reserved_take AFTER DELETE ON key_reservations BEGIN "
           "UPDATE key_reserved SET usd = usd - OLD.usd, requests = requests - 1 WHERE key = "
           "OLD.key AND holder = OLD.holder; DELETE FROM key_reserved WHERE key = OLD.key AND "
           "holder = OLD.holder AND requests <= 0; END",
           "CREATE TRIGGER IF NOT EXISTS key_reserved_fixed BEFORE UPDATE ON key_reservations "
           "BEGIN SELECT RAISE(ABORT, 'key_reservations rows are never updated'); END"},
          "INSERT INTO key_reserved (key, holder, usd, requests) SELECT key, holder, SUM(usd), "
          "COUNT(*) FROM key_reservations GROUP BY key, holder"};
}

} // namespace

result<void> ensure_derived_tables(const key_store::db& d) {
  if (auto r = ensure(d, spend_table()); !r)
    return r;
  return ensure(d, reserved_table());
}

} // namespace et::store::detail
