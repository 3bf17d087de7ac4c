#pragma once
/// The fields of a journal event, read as bytes from disk are read: a value of the wrong type
/// or out of range is damage and reads as its fallback, never cast.

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "et/llm/chat.hpp"

namespace et::store::detail {

/// The string `key`, "" when absent or not a string.
std::string text(const boost::json::object& o, std::string_view key);
/// The finite number `key`, else `fallback`.
double number(const boost::json::object& o, std::string_view key, double fallback = 0);
/// The integer `key` within int64, else `fallback`.
int64_t integer(const boost::json::object& o, std::string_view key, int64_t fallback = 0);
/// The integer `key` within int, else `fallback`.
int small(const boost::json::object& o, std::string_view key, int fallback = 0);
/// `key` when it lies in [lo, hi], else `fallback`: what the command line would have allowed.
int within(const boost::json::object& o, std::string_view key, int lo, int hi, int fallback);
/// A time in ms since 1970 (or a span of ms): before 1970 or past 2100 reads as 0, so no
/// difference or sum of them overflows.
int64_t time_ms(const boost::json::object& o, std::string_view key, int64_t fallback = 0);
/// A cost: implausible ones (negative, huge) read as 0, so no sum takes them.
double dollars(const boost::json::object& o, std::string_view key);
/// The boolean `key`, else `fallback`.
bool flag(const boost::json::object& o, std::string_view key, bool fallback);
/// The array `key`, empty when absent or not an array.
const boost::json::array& list(const boost::json::object& o, std::string_view key);
/// The ints of the array `key` (others skipped).
std::vector<int> numbers(const boost::json::object& o, std::string_view key);
/// The strings of the array `key` (others skipped).
std::vector<std::string> texts(const boost::json::object& o, std::string_view key);
/// The usage object `key`, implausible counts as 0.
usage tokens(const boost::json::object& o, std::string_view key);

} // namespace et::store::detail
