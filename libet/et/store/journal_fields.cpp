#include "et/store/detail/journal_fields.hpp"

#include <cmath>
#include <limits>

#include "et/llm/plausible.hpp"

namespace et::store::detail {

namespace json = boost::json;

std::string text(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string{v->get_string()} : std::string{};
}

double number(const json::object& o, std::string_view key, double fallback) {
  auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_number())
    return fallback;
  auto d = v->to_number<double>();
  return std::isfinite(d) ? d : fallback;
}

// A journal is bytes on disk: a value out of range is damage, never cast.
int64_t integer(const json::object& o, std::string_view key, int64_t fallback) {
  auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_number())
    return fallback;
  if (v->is_int64())
    return v->get_int64();
  if (v->is_uint64())
    return v->get_uint64() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
               ? static_cast<int64_t>(v->get_uint64())
               : fallback;
  double d = v->get_double(); // 2^63 is exact as a double, and the first value past int64
  if (!std::isfinite(d) || d < -9.2233720368547758e18 || d >= 9.2233720368547758e18)
    return fallback;
  return static_cast<int64_t>(d);
}

int small(const json::object& o, std::string_view key, int fallback) {
  auto n = integer(o, key, fallback);
  return n >= std::numeric_limits<int>::min() && n <= std::numeric_limits<int>::max()
             ? static_cast<int>(n)
             : fallback;
}

// `key` when it lies in [lo, hi], else `fallback`: what the command line would have allowed.
int within(const json::object& o, std::string_view key, int lo, int hi, int fallback) {
  auto n = integer(o, key, fallback);
  return n >= lo && n <= hi ? static_cast<int>(n) : fallback;
}

// A time in ms since 1970 (or a span of ms): before 1970 or past 2100 reads as 0, so no
// difference or sum of them overflows.
int64_t time_ms(const json::object& o, std::string_view key, int64_t fallback) {
  constexpr int64_t year_2100 = 4'102'444'800'000;
  auto n = integer(o, key, fallback);
  return n >= 0 && n <= year_2100 ? n : 0;
}

// A cost: implausible ones (negative, huge) read as 0, so no sum takes them.
double dollars(const json::object& o, std::string_view key) {
  return plausible_usd(number(o, key)).value_or(0);
}

bool flag(const json::object& o, std::string_view key, bool fallback) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() ? v->get_bool() : fallback;
}

const json::array& list(const json::object& o, std::string_view key) {
  static const json::array none;
  auto* v = o.if_contains(key);
  return v && v->is_array() ? v->get_array() : none;
}

std::vector<int> numbers(const json::object& o, std::string_view key) {
  std::vector<int> out;
  for (const auto& v : list(o, key))
    if (v.is_int64() && v.get_int64() >= std::numeric_limits<int>::min()
        && v.get_int64() <= std::numeric_limits<int>::max())
      out.push_back(static_cast<int>(v.get_int64()));
  return out;
}

std::vector<std::string> texts(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& v : list(o, key))
    if (v.is_string())
      out.emplace_back(v.get_string());
  return out;
}

usage tokens(const json::object& o, std::string_view key) {
  static const json::object none;
  auto* v = o.if_contains(key);
  const auto& t = v && v->is_object() ? v->get_object() : none;
  // Implausible counts (-5, 1e30) read as 0, as the ledger keeps them.
  return plausible(usage{integer(t, "prompt_tokens"), integer(t, "completion_tokens"),
                         integer(t, "cache_read_tokens"), integer(t, "cache_write_tokens"),
                         integer(t, "reasoning_tokens")});
}

} // namespace et::store::detail
