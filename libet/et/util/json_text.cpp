#include "et/util/json_text.hpp"

#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace et {

namespace {

namespace json = boost::json;

// Whether one of the 8 bytes of `w` needs an escape: below 0x20, '"' or '\\' (exact: the
// usual tests for a zero byte and a byte below n, on all 8 at once).
bool needs_escape(uint64_t w) {
  constexpr uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  auto below_space = (w - ones * 0x20) & ~w & highs;
  auto quote = w ^ (ones * '"');
  auto backslash = w ^ (ones * '\\');
  auto zero_in = [&](uint64_t x) { return (x - ones) & ~x & highs; };
  return (below_space | zero_in(quote) | zero_in(backslash)) != 0;
}

// Runs of bytes that need no escape are copied whole, found 8 bytes at a time: answers and
// prompts stream through here.
void append_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  static constexpr std::string_view escaped = "\"\\\b\f\n\r\t", as = "\"\\bfnrt";
  out += '"';
  size_t plain = 0; // the first byte not copied yet
  for (size_t i = 0; i < s.size(); ++i) {
    if (uint64_t w; i + 8 <= s.size() && (std::memcpy(&w, s.data() + i, 8), !needs_escape(w))) {
      i += 7;
      continue;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    if (auto at = escaped.find(s[i]); at != std::string_view::npos) {
      out += '\\';
      out += as[at];
    } else {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

// JSON has no infinity or NaN (Boost.JSON writes the invalid words Infinity and NaN): null.
// Money and other everyday numbers in plain decimals (0.00000627, 24000000000), as short as
// reads back the same; only the very small or large in exponent form (1e-300, 1e+21).
void append_double(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[64];
  auto magnitude = std::fabs(d);
  bool plain = d == 0 || (magnitude >= 1e-7 && magnitude < 1e17);
  auto end = plain ? std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed).ptr
                   : std::to_chars(buf, buf + sizeof buf, d).ptr;
  std::string_view text{buf, static_cast<size_t>(end - buf)};
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos)
    out += ".0"; // "100" would read back as an integer
}

template <class Int>
void append_integer(std::string& out, Int n) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  out.append(buf, end);
}

void append_value(std::string& out, const json::value& v);

void append_object(std::string& out, const json::object& o) {
  out += '{';
  bool first = true;
  for (const auto& kv : o) {
    if (!first)
      out += ',';
    first = false;
    append_string(out, kv.key());
    out += ':';
    append_value(out, kv.value());
  }
  out += '}';
}

void append_array(std::string& out, const json::array& a) {
  out += '[';
  bool first = true;
  for (const auto& item : a) {
    if (!first)
      out += ',';
    first = false;
    append_value(out, item);
  }
  out += ']';
}

void append_value(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      append_integer(out, v.get_int64());
      break;
    case json::kind::uint64:
      append_integer(out, v.get_uint64());
      break;
    case json::kind::double_:
      append_double(out, v.get_double());
      break;
    case json::kind::string:
      append_string(out, v.get_string());
      break;
    case json::kind::array:
      append_array(out, v.get_array());
      break;
    case json::kind::object:
      append_object(out, v.get_object());
      break;
  }
}

} // namespace

std::string json_text(const json::value& v) {
  std::string out;
  out.reserve(512); // most documents fit: no regrowth on the way
  append_value(out, v);
  return out;
}

std::string json_text(const json::object& o) {
  std::string out;
  out.reserve(512); // most documents fit: no regrowth on the way
  append_object(out, o);
  return out;
}

std::string json_text(const json::array& a) {
  std::string out;
  out.reserve(512); // most documents fit: no regrowth on the way
  append_array(out, a);
  return out;
}

} // namespace et
