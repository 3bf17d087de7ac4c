#include "et/context/fetch_url.hpp"
#include "et/util/text.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace et::context {

namespace {

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
  u.scheme = ascii_lower(text.substr(0, scheme_end));
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
  u.host = ascii_lower(host_text);
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

namespace {

// RFC 3986 5.2.4: "/a/b/../c/./d" -> "/a/c/d": a redirect names the page it means however
// it is spelled (and "/../" cannot climb above the root as the server reads it).
std::string without_dot_segments(std::string_view path) {
  std::vector<std::string_view> kept;
  bool folder = false; // ends with "/", "." or "..": the result ends with "/"
  size_t at = 1;       // paths here start with "/"
  while (at <= path.size()) {
    auto end = std::min(path.find('/', at), path.size());
    auto segment = path.substr(at, end - at);
    folder = end == path.size() && (segment.empty() || segment == "." || segment == "..");
    if (segment == "..") {
      if (!kept.empty())
        kept.pop_back();
    } else if (segment != "." && !(segment.empty() && end == path.size())) {
      kept.push_back(segment);
    }
    at = end + 1;
  }
  std::string out;
  for (auto segment : kept)
    out += "/" + std::string{segment};
  if (out.empty() || folder)
    out += "/";
  return out;
}

// A relative reference's path and query, resolved against `base` (RFC 3986 5.2.2).
std::string resolved_target(std::string_view base, std::string_view reference) {
  auto base_path = base.substr(0, base.find('?'));
  if (reference.empty())
    return std::string{base};
  if (reference[0] == '?')
    return std::string{base_path} + std::string{reference};
  auto query = std::min(reference.find('?'), reference.size());
  std::string path{reference.substr(0, query)};
  if (path[0] != '/')
    path = std::string{base_path.substr(0, base_path.rfind('/') + 1)} + path;
  return path + std::string{reference.substr(query)};
}

// `target` (a path and query) with its path's dot segments removed.
std::string normalized(std::string_view target) {
  auto query = std::min(target.find('?'), target.size());
  return without_dot_segments(target.substr(0, query)) + std::string{target.substr(query)};
}

} // namespace

result<web_url> redirect_target(const web_url& base, std::string_view location) {
  auto trimmed = location;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t'))
    trimmed.remove_prefix(1);
  if (trimmed.empty())
    return make_failure(errc::invalid_input, base.text() + ": a redirect without a Location");
  result<web_url> next = base;
  if (trimmed.find("://") != std::string_view::npos
      && trimmed.find("://") < trimmed.find_first_of("/?#"))
    next = parse_web_url(trimmed);
  else if (trimmed.substr(0, 2) == "//")
    next = parse_web_url(base.scheme + ":" + std::string{trimmed});
  else
    next->target =
        encode_target(resolved_target(base.target, trimmed.substr(0, trimmed.find('#'))));
  if (!next)
    return next;
  next->target = normalized(next->target);
  // What was asked for over TLS is not read in the clear: anyone on the path could write it.
  if (base.scheme == "https" && next->scheme == "http")
    return make_failure(errc::invalid_input, base.text() + ": a redirect from https to http ("
                                                 + shown_url(next->text()) + ") is refused");
  return next;
}

} // namespace et::context
