#include "et/util/url.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>
#include <cmath>

namespace et {

std::string host_and_port(std::string_view host, uint16_t port) {
  std::string h{host};
  return (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + std::to_string(port);
}

std::string url::authority() const {
  bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
  if (!default_port)
    return host_and_port(host, port);
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string url::to_string() const {
  return scheme + "://" + authority() + path;
}

namespace {

failure bad_url(std::string_view text, std::string why) {
  return make_failure(errc::invalid_config,
                      "invalid URL \"" + std::string{text} + "\": " + std::move(why));
}

} // namespace

result<host_port> parse_host_port(std::string_view text) {
  auto bad = [&] {
    return make_failure(errc::invalid_input,
                        "expected host:port with a port from 0 to 65535, got \"" + std::string{text}
                            + "\"");
  };
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return bad();
  host_port out;
  out.host = std::string{text.substr(0, colon)};
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  unsigned value = 0;
  auto digits = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || value > 65535)
    return bad();
  out.port = static_cast<uint16_t>(value);
  return out;
}

bool is_loopback(std::string_view host) {
  // An address literal only: a name is resolved later by someone else (CAF
  // when it binds, DNS for a caller) and may then name any interface.
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string{host}, ec);
  if (ec)
    return false;
  if (addr.is_v4())
    return addr.to_v4().is_loopback(); // 127.0.0.0/8
  auto v6 = addr.to_v6();
  if (v6.is_v4_mapped()) // ::ffff:127.x.y.z
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).is_loopback();
  // A scoped "::1%eth0" is not the loopback address.
  return v6.is_loopback() && v6.scope_id() == 0;
}

result<url> parse_url(std::string_view text) {
  url out;
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return bad_url(text, "expected http:// or https://");
  out.scheme = std::string{text.substr(0, sep)};
  if (out.scheme != "http" && out.scheme != "https")
    return bad_url(text, "scheme must be http or https");
  auto rest = text.substr(sep + 3);
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos)
    return bad_url(text, "credentials in the URL are not allowed; use api_key");
  // Checked on all of `rest`: "https://h?x" has no path, the query ends the authority.
  if (rest.find_first_of("?#") != std::string_view::npos)
    return bad_url(text, "query strings and fragments are not allowed");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad_url(text, "unterminated IPv6 address");
    out.host = std::string{authority.substr(1, close - 1)};
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return bad_url(text, "unexpected text after the IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    out.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos)
      port_text = authority.substr(colon + 1);
  }
  if (out.host.empty())
    return bad_url(text, "missing host");
  if (out.host.find_first_of(" \t/\\") != std::string::npos)
    return bad_url(text, "invalid character in host");
  out.port = out.tls() ? 443 : 80;
  if (!port_text.empty() || authority.back() == ':') {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0
        || value > 65535)
      return bad_url(text, "port must be a number from 1 to 65535");
    out.port = static_cast<uint16_t>(value);
  }
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  out.path = std::string{path};
  return out;
}

result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto fail = [&] {
    return make_failure(errc::invalid_config,
                        "invalid duration \"" + std::string{text}
                            + "\": expected e.g. 250ms, 10s, 5m, 1h or a number of seconds");
  };
  size_t unit_at = text.find_first_not_of("0123456789.");
  auto number = text.substr(0, unit_at);
  auto unit = unit_at == std::string_view::npos ? std::string_view{} : text.substr(unit_at);
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc{} || end != number.data() + number.size()
      || !std::isfinite(value))
    return fail();
  double scale = 0;
  if (unit.empty() || unit == "s")
    scale = 1000;
  else if (unit == "ms")
    scale = 1;
  else if (unit == "m")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  else
    return fail();
  // Durations become nanoseconds (CAF's timeouts, steady_clock deadlines) and are added to
  // each other and to now: a bound far below int64's 9.2e18 ns keeps every such sum in range.
  if (value * scale > max_duration_ms)
    return make_failure(errc::invalid_config, "invalid duration \"" + std::string{text}
                                                  + "\": too long (at most 27000h)");
  return std::chrono::milliseconds{static_cast<int64_t>(std::llround(value * scale))};
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0)
    return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0)
    return std::to_string(ms / 60'000) + "m";
  if (ms != 0 && ms % 1000 == 0)
    return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

} // namespace et
