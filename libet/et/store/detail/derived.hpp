#pragma once
/// Tables that SQL triggers keep from the rows they sum (a day's spend, what is reserved), so
/// that a budget check reads a few rows however many records and reservations a file holds.
/// Internal to libet, like detail/sqlite.hpp.

#include <string>
#include <vector>

#include "et/store/detail/sqlite.hpp"

namespace et::store::detail {

/// A table kept by triggers in the file: every process that writes the rows it sums keeps it
/// too, an et from before the table included.
struct derived_table {
  std::string name;              ///< the table
  std::string create;            ///< its CREATE TABLE
  std::vector<std::string> then; ///< the CREATE TRIGGERs that keep it (and any index)
  std::string fill;              ///< INSERT ... SELECT from the rows there now
};

/// Makes `t` with its triggers and indexes, filled from the rows already there, in one transaction,
/// where the file has not got it yet. A file that has it is only read (opening a store to read
/// never waits for a writer).
result<void> ensure_derived(const connection& c, const derived_table& t);

/// SQL for the start of the UTC day (as start_of_utc_day reckons it) of `ms`, a column.
std::string utc_day_sql(const char* ms);

/// SQL for `usd` (a column) as spend counts it: implausible amounts, NULL included, count 0.
std::string plausible_usd_sql(const char* usd);

/// `sums` (TEXT columns `keys`..., usd, reservations) kept from the open reservations in
/// `rows` (columns `keys`..., usd), which are inserted and deleted, never updated (a trigger
/// refuses it). A group's row goes with its last reservation, so its sum starts again from 0
/// rather than carry the rounding of adding and taking away.
derived_table reservation_sums(const std::string& sums, const std::string& rows,
                               const std::vector<std::string>& keys);

} // namespace et::store::detail
