#include "et/context/fetch_url.hpp"

#include <algorithm>
#include <cctype>

namespace et::context {

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The authority part of an absolute URL: after "scheme://", up to the first / ? or #.
std::string_view authority_of(std::string_view rest) {
  return rest.substr(0, std::min(rest.find_first_of("/?#"), rest.size()));
}

failure bad(std::string_view text, const std::string& why) {
  return make_failure(errc::invalid_input, shown_url(text) + ": " + why);
}

// Path and query with anything outside printable ASCII percent-encoded, so that the
// request line can carry it (a space or a control byte would split or forge it).
std::string encode_target(std::string_view target) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : target) {
    auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^'
        || c == '`' || c == '{' || c == '|' || c == '}') {
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 15];
    } else {
      out += c;
    }
  }
  if (out.empty() || out[0] != '/')
    out.insert(out.begin(), '/');
  return out;
}

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

} // namespace

std::string web_url::origin() const {
  bool v6 = host.find(':') != std::string::npos;
  std::string out = scheme + "://" + (v6 ? "[" + host + "]" : host);
  if (port != (scheme == "https" ? 443 : 80))
    out += ":" + std::to_string(port);
  return out;
}

std::string web_url::text() const {
  return origin() + target;
}

std::string shown_url(std::string_view text) {
  std::string out{text};
  auto scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    auto start = scheme_end + 3;
    auto authority = authority_of(std::string_view{out}.substr(start));
    auto at = authority.rfind('@');
    if (at != std::string_view::npos)
      out.erase(start, at + 1);
  }
  if (out.size() > 200)
    out = out.substr(0, 200) + "...";
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = '?';
  return out;
}

result<web_url> parse_web_url(std::string_view text) {
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos)
    return bad(text, "not an absolute http(s) URL");
  web_url u;
  u.scheme = lower(text.substr(0, scheme_end));
  if (u.scheme != "http" && u.scheme != "https")
    return bad(text, "only http and https URLs are fetched");
  auto rest = text.substr(scheme_end + 3);
  auto authority = authority_of(rest);
  if (authority.find('@') != std::string_view::npos)
    return bad(text, "credentials in a URL are refused");
  auto after = rest.substr(authority.size());
  std::string_view host_text = authority;
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad(text, "unclosed [ in the host");
    host_text = authority.substr(1, close - 1);
    auto tail = authority.substr(close + 1);
    if (!tail.empty() && tail[0] != ':')
      return bad(text, "unexpected text after the IPv6 address");
    port_text = tail.empty() ? tail : tail.substr(1);
    if (host_text.empty() || !std::all_of(host_text.begin(), host_text.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
        }))
      return bad(text, "not an IPv6 address in [ ]");
  } else {
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host_text = authority.substr(0, colon);
      port_text = authority.substr(colon + 1);
    }
    if (host_text.empty() || !std::all_of(host_text.begin(), host_text.end(), host_char))
      return bad(text, "no valid host");
  }
  u.host = lower(host_text);
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        }))
      return bad(text, "bad port");
    int port = std::stoi(std::string{port_text});
    if (port < 1 || port > 65535)
      return bad(text, "bad port");
    u.port = static_cast<uint16_t>(port);
  }
  auto fragment = after.find('#');
  u.target = encode_target(after.substr(0, fragment));
  return u;
}

result<web_url> redirect_target(const web_url& base, std::string_view location) {
  auto trimmed = location;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t'))
    trimmed.remove_prefix(1);
  if (trimmed.find("://") != std::string_view::npos
      && trimmed.find("://") < trimmed.find_first_of("/?#"))
    return parse_web_url(trimmed);
  if (trimmed.substr(0, 2) == "//")
    return parse_web_url(base.scheme + ":" + std::string{trimmed});
  if (trimmed.empty())
    return make_failure(errc::invalid_input, base.text() + ": a redirect without a Location");
  web_url next = base;
  if (trimmed[0] == '/') {
    next.target = encode_target(trimmed.substr(0, trimmed.find('#')));
    return next;
  }
  auto path = base.target.substr(0, base.target.find('?'));
  auto folder = path.substr(0, path.rfind('/') + 1);
  next.target = encode_target(folder + std::string{trimmed.substr(0, trimmed.find('#'))});
  return next;
}

} // namespace et::context
