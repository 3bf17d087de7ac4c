#include "et/context/charset.hpp"
#include "et/util/text.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>

namespace et::context {

namespace {

// The value after `name=` in `text` (a header's parameters or a meta tag), unquoted.
std::string value_after(std::string_view text, std::string_view name) {
  auto low = ascii_lower(text);
  auto at = low.find(name);
  if (at == std::string::npos)
    return {};
  at += name.size();
  while (at < low.size() && (low[at] == ' ' || low[at] == '\t'))
    ++at;
  if (at >= low.size() || low[at] != '=')
    return {};
  ++at;
  while (at < low.size() && (low[at] == ' ' || low[at] == '"' || low[at] == '\''))
    ++at;
  auto end = low.find_first_of("\"'; \t>/\r\n", at);
  return low.substr(at, std::min(end, low.size()) - at);
}

// The charset a byte order mark names, "" when there is none.
std::string_view bom_charset(std::string_view body) {
  if (body.starts_with("\xEF\xBB\xBF"))
    return "utf-8";
  if (body.starts_with("\xFE\xFF"))
    return "utf-16be";
  if (body.starts_with("\xFF\xFE"))
    return "utf-16le";
  return {};
}

// The iconv name of a web charset label; "" for UTF-8 and for labels not decoded. An
// allow-list: a page picks its label, and iconv has modules no page needs. Labels mean what
// browsers take them for (WHATWG Encoding): Shift_JIS is Windows' CP932, EUC-KR is UHC.
std::string_view iconv_name(const std::string& label) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 30> names{{
      {"iso-8859-1", "CP1252"},
      {"latin1", "CP1252"},
      {"l1", "CP1252"},
      {"us-ascii", "CP1252"},
      {"ascii", "CP1252"},
      {"windows-1252", "CP1252"},
      {"cp1252", "CP1252"},
      {"iso-8859-2", "ISO-8859-2"},
      {"iso-8859-5", "ISO-8859-5"},
      {"iso-8859-7", "ISO-8859-7"},
      {"iso-8859-9", "CP1254"},
      {"iso-8859-15", "ISO-8859-15"},
      {"windows-1250", "CP1250"},
      {"windows-1251", "CP1251"},
      {"windows-1253", "CP1253"},
      {"windows-1254", "CP1254"},
      {"windows-1255", "CP1255"},
      {"windows-1256", "CP1256"},
      {"koi8-r", "KOI8-R"},
      {"koi8-u", "KOI8-U"},
      {"shift_jis", "CP932"},
      {"sjis", "CP932"},
      {"euc-jp", "EUC-JP"},
      {"euc-kr", "UHC"},
      {"gb2312", "GBK"},
      {"gbk", "GBK"},
      {"gb18030", "GB18030"},
      {"big5", "BIG5"},
      {"utf-16le", "UTF-16LE"},
      {"utf-16be", "UTF-16BE"},
  }};
  for (const auto& [from, to] : names)
    if (label == from)
      return to;
  return {};
}

} // namespace

std::string declared_charset(std::string_view content_type, std::string_view body, bool html) {
  if (auto bom = bom_charset(body); !bom.empty())
    return std::string{bom};
  if (auto named = value_after(content_type, "charset"); !named.empty())
    return named;
  if (!html)
    return {};
  auto head = ascii_lower(body.substr(0, 1024));
  for (size_t at = 0; (at = head.find("<meta", at)) != std::string::npos; at += 5) {
    auto end = std::min(head.find('>', at), head.size());
    auto named = value_after(std::string_view{head}.substr(at, end - at), "charset");
    // A page whose meta tag could be read is not UTF-16: browsers take it for UTF-8.
    if (named.starts_with("utf-16"))
      return {};
    if (!named.empty())
      return named;
  }
  return {};
}

std::string to_utf8(std::string body, std::string_view charset) {
  // A byte order mark outranks any label, and goes.
  auto bom = bom_charset(body);
  auto label = bom.empty() ? ascii_lower(charset) : std::string{bom};
  if (bom == "utf-8")
    body.erase(0, 3);
  auto name = iconv_name(label);
  if (name.empty())
    return body;
  auto cd = ::iconv_open("UTF-8", std::string{name}.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1))
    return body; // this libc lacks it: the text is read as it is
  std::string_view in = body;
  if (!bom.empty())
    in.remove_prefix(2); // a UTF-16 mark (UTF-8's went above)
  // A code unit that does not decode is skipped whole, or the rest would be read out of step.
  size_t unit = name.starts_with("UTF-16") ? 2 : 1;
  std::string out;
  out.reserve(in.size() + in.size() / 2);
  std::array<char, 4096> buffer;
  auto* from = const_cast<char*>(in.data()); // iconv's API; it does not write there
  size_t left = in.size();
  while (left > 0) {
    char* to = buffer.data();
    size_t room = buffer.size();
    auto done = ::iconv(cd, &from, &left, &to, &room);
    out.append(buffer.data(), static_cast<size_t>(to - buffer.data()));
    if (done != static_cast<size_t>(-1) || errno == E2BIG)
      continue;
    // A byte that does not decode (EILSEQ), or a sequence cut at the end (EINVAL).
    out += "\xEF\xBF\xBD";
    auto skip = std::min(unit, left);
    from += skip;
    left -= skip;
  }
  ::iconv_close(cd);
  return out;
}

} // namespace et::context
