#include "et/store/detail/derived.hpp"

#include "et/llm/plausible.hpp"

namespace et::store::detail {

namespace {

result<bool> has_table(const connection& c, const std::string& name) {
  checked_statement there{c,
                          "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"};
  there.bind(1, name);
  auto n = there.scalar("look for a table");
  if (!n)
    return n.error();
  return *n > 0;
}

// `keys` joined by `between`, each as before + key + after: "a, b", "NEW.a, NEW.b".
std::string join(const std::vector<std::string>& keys, const std::string& before,
                 const std::string& between, const std::string& after = {}) {
  std::string out;
  for (const auto& k : keys)
    out += (out.empty() ? "" : between) + before + k + after;
  return out;
}

} // namespace

result<void> ensure_derived(const connection& c, const derived_table& t) {
  auto there = has_table(c, t.name);
  if (!there || *there)
    return there ? result<void>{} : there.error();
  return c.transaction([&]() -> result<void> {
    auto now = has_table(c, t.name); // another process may have made it meanwhile
    if (!now || *now)
      return now ? result<void>{} : now.error();
    if (auto r = c.exec(t.create.c_str(), "create a derived table"); !r)
      return r;
    for (const auto& sql : t.then)
      if (auto r = c.exec(sql.c_str(), "create a trigger or index"); !r)
        return r;
    return c.exec(t.fill.c_str(), "fill a derived table");
  });
}

std::string utc_day_sql(const char* ms) {
  return std::string{ms} + " - (((" + ms + " % 86400000) + 86400000) % 86400000)";
}

std::string plausible_usd_sql(const char* usd) {
  return std::string{"(CASE WHEN "} + usd + " >= 0 AND " + usd
         + " <= " + std::to_string(static_cast<int64_t>(max_usd)) + " THEN " + usd + " ELSE 0 END)";
}

derived_table reservation_sums(const std::string& sums, const std::string& rows,
                               const std::vector<std::string>& keys) {
  auto columns = join(keys, "", ", ");
  std::string match_old; // "key = OLD.key AND holder = OLD.holder"
  for (const auto& k : keys)
    match_old += (match_old.empty() ? "" : " AND ") + k + " = OLD." + k;
  return {
      sums,
      "CREATE TABLE " + sums + " (" + join(keys, "", ", ", " TEXT NOT NULL")
          + ", usd REAL NOT NULL, reservations INTEGER NOT NULL, PRIMARY KEY (" + columns + "))",
      {"CREATE TRIGGER IF NOT EXISTS " + sums + "_add AFTER INSERT ON " + rows
           + " BEGIN INSERT INTO " + sums + " (" + columns + ", usd, reservations) VALUES ("
           + join(keys, "NEW.", ", ") + ", NEW.usd, 1) ON CONFLICT (" + columns
           + ") DO UPDATE SET usd = usd + excluded.usd, reservations = reservations + 1; END",
       "CREATE TRIGGER IF NOT EXISTS " + sums + "_take AFTER DELETE ON " + rows + " BEGIN UPDATE "
           + sums + " SET usd = usd - OLD.usd, reservations = reservations - 1 WHERE " + match_old
           + "; DELETE FROM " + sums + " WHERE " + match_old + " AND reservations <= 0; END",
       "CREATE TRIGGER IF NOT EXISTS " + sums + "_fixed BEFORE UPDATE ON " + rows
           + " BEGIN SELECT RAISE(ABORT, '" + rows + " rows are never updated'); END"},
      "INSERT INTO " + sums + " (" + columns + ", usd, reservations) SELECT " + columns
          + ", SUM(usd), COUNT(*) FROM " + rows + " GROUP BY " + columns};
}

} // namespace et::store::detail
