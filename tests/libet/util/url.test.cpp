#define CAF_SUITE libet.util.url
#include "caf/test/unit_test.hpp"

#include "et/util/url.hpp"

using namespace et;
using namespace std::chrono_literals;

namespace {

// The failure message, or a marker that the text parsed.
std::string url_error(std::string_view text) {
  auto u = parse_url(text);
  return u ? "<parsed: " + u->to_string() + ">" : u.error().message;
}

std::string duration_error(std::string_view text) {
  auto d = parse_duration(text);
  return d ? "<parsed: " + std::to_string(d->count()) + "ms>" : d.error().message;
}

// Milliseconds, or -1 when the text is refused.
int64_t ms(std::string_view text) {
  auto d = parse_duration(text);
  return d ? d->count() : -1;
}

} // namespace

CAF_TEST(an https url gets port 443 and tls) {
  auto u = parse_url("https://api.openai.com/v1");
  CAF_REQUIRE(u);
  CAF_CHECK_EQUAL(u->scheme, "https");
  CAF_CHECK_EQUAL(u->host, "api.openai.com");
  CAF_CHECK_EQUAL(u->port, 443u);
  CAF_CHECK_EQUAL(u->path, "/v1");
  CAF_CHECK(u->tls());
  CAF_CHECK_EQUAL(u->authority(), "api.openai.com");
  CAF_CHECK_EQUAL(u->to_string(), "https://api.openai.com/v1");
}

CAF_TEST(an http url gets port 80 and no tls) {
  auto u = parse_url("http://example.org");
  CAF_REQUIRE(u);
  CAF_CHECK_EQUAL(u->port, 80u);
  CAF_CHECK_EQUAL(u->path, "");
  CAF_CHECK(!u->tls());
  CAF_CHECK_EQUAL(u->to_string(), "http://example.org");
}

CAF_TEST(an explicit port is kept and shown in the authority) {
  auto u = parse_url("http://localhost:11434");
  CAF_REQUIRE(u);
  CAF_CHECK_EQUAL(u->host, "localhost");
  CAF_CHECK_EQUAL(u->port, 11434u);
  CAF_CHECK_EQUAL(u->authority(), "localhost:11434");
  auto v = parse_url("https://h:443/x");
  CAF_REQUIRE(v);
  CAF_CHECK_EQUAL(v->authority(), "h");
  auto w = parse_url("http://h:443");
  CAF_REQUIRE(w);
  CAF_CHECK_EQUAL(w->authority(), "h:443");
}

CAF_TEST(trailing slashes are dropped from the path) {
  auto u = parse_url("https://h/v1///");
  CAF_REQUIRE(u);
  CAF_CHECK_EQUAL(u->path, "/v1");
  auto root = parse_url("https://h/");
  CAF_REQUIRE(root);
  CAF_CHECK_EQUAL(root->path, "");
  CAF_CHECK_EQUAL(root->to_string(), "https://h");
}

CAF_TEST(an ipv6 host is written in brackets and stored without them) {
  auto u = parse_url("http://[::1]:8080/api");
  CAF_REQUIRE(u);
  CAF_CHECK_EQUAL(u->host, "::1");
  CAF_CHECK_EQUAL(u->port, 8080u);
  CAF_CHECK_EQUAL(u->path, "/api");
  CAF_CHECK_EQUAL(u->authority(), "[::1]:8080");
  CAF_CHECK_EQUAL(u->to_string(), "http://[::1]:8080/api");
  auto v = parse_url("https://[fe80::2]");
  CAF_REQUIRE(v);
  CAF_CHECK_EQUAL(v->host, "fe80::2");
  CAF_CHECK_EQUAL(v->authority(), "[fe80::2]");
}

CAF_TEST(other schemes and missing schemes are refused) {
  CAF_CHECK_EQUAL(url_error("ftp://h"), "invalid URL \"ftp://h\": scheme must be http or https");
  CAF_CHECK_EQUAL(url_error("HTTP://h"), "invalid URL \"HTTP://h\": scheme must be http or https");
  CAF_CHECK_EQUAL(url_error("api.openai.com/v1"),
                  "invalid URL \"api.openai.com/v1\": expected http:// or https://");
  CAF_CHECK_EQUAL(url_error(""), "invalid URL \"\": expected http:// or https://");
}

CAF_TEST(a url without a host is refused) {
  CAF_CHECK_EQUAL(url_error("http://"), "invalid URL \"http://\": missing host");
  CAF_CHECK_EQUAL(url_error("http:///v1"), "invalid URL \"http:///v1\": missing host");
  CAF_CHECK_EQUAL(url_error("http://:80"), "invalid URL \"http://:80\": missing host");
  CAF_CHECK_EQUAL(url_error("http://[]:80"), "invalid URL \"http://[]:80\": missing host");
}

CAF_TEST(user info in the url is refused) {
  CAF_CHECK_EQUAL(url_error("https://user:pw@h/v1"),
                  "invalid URL \"https://user:pw@h/v1\": credentials in the URL are not allowed; "
                  "use api_key");
}

CAF_TEST(an at sign in the path is not user info) {
  auto u = parse_url("https://h/models/a@b");
  CAF_REQUIRE(u);
  CAF_CHECK_EQUAL(u->path, "/models/a@b");
}

CAF_TEST(query strings and fragments are refused after a path) {
  CAF_CHECK_EQUAL(
      url_error("https://h/v1?key=x"),
      "invalid URL \"https://h/v1?key=x\": query strings and fragments are not allowed");
  CAF_CHECK_EQUAL(url_error("https://h/v1#top"),
                  "invalid URL \"https://h/v1#top\": query strings and fragments are not allowed");
}

CAF_TEST(query strings and fragments are refused right after the host) {
  CAF_CHECK_EQUAL(url_error("https://h?key=x"),
                  "invalid URL \"https://h?key=x\": query strings and fragments are not allowed");
  CAF_CHECK_EQUAL(url_error("https://h:8443#x"),
                  "invalid URL \"https://h:8443#x\": query strings and fragments are not allowed");
}

CAF_TEST(bad ports are refused) {
  const std::string why = "port must be a number from 1 to 65535";
  CAF_CHECK_EQUAL(url_error("http://h:"), "invalid URL \"http://h:\": " + why);
  CAF_CHECK_EQUAL(url_error("http://h:0"), "invalid URL \"http://h:0\": " + why);
  CAF_CHECK_EQUAL(url_error("http://h:65536"), "invalid URL \"http://h:65536\": " + why);
  CAF_CHECK_EQUAL(url_error("http://h:80x"), "invalid URL \"http://h:80x\": " + why);
  CAF_CHECK_EQUAL(url_error("http://h:-1"), "invalid URL \"http://h:-1\": " + why);
  CAF_CHECK_EQUAL(url_error("http://[::1]:"), "invalid URL \"http://[::1]:\": " + why);
  auto top = parse_url("http://h:65535");
  CAF_REQUIRE(top);
  CAF_CHECK_EQUAL(top->port, 65535u);
}

CAF_TEST(malformed ipv6 addresses are refused) {
  CAF_CHECK_EQUAL(url_error("http://[::1"),
                  "invalid URL \"http://[::1\": unterminated IPv6 address");
  CAF_CHECK_EQUAL(url_error("http://[::1]x"),
                  "invalid URL \"http://[::1]x\": unexpected text after the IPv6 address");
}

CAF_TEST(white space in the host is refused) {
  CAF_CHECK_EQUAL(url_error("http://a b/"),
                  "invalid URL \"http://a b/\": invalid character in host");
}

CAF_TEST(the url failure is classed as invalid config) {
  auto u = parse_url("nope");
  CAF_REQUIRE(!u);
  CAF_CHECK_EQUAL(u.error().code, errc::invalid_config);
}

CAF_TEST(durations accept every unit) {
  CAF_CHECK_EQUAL(ms("250ms"), 250);
  CAF_CHECK_EQUAL(ms("10s"), 10'000);
  CAF_CHECK_EQUAL(ms("5m"), 300'000);
  CAF_CHECK_EQUAL(ms("1h"), 3'600'000);
  CAF_CHECK_EQUAL(ms("0ms"), 0);
}

CAF_TEST(a bare number of a duration counts seconds) {
  CAF_CHECK_EQUAL(ms("30"), 30'000);
  CAF_CHECK_EQUAL(ms("1.5"), 1'500);
  CAF_CHECK_EQUAL(ms("0"), 0);
}

CAF_TEST(fractional durations round to the nearest millisecond) {
  CAF_CHECK_EQUAL(ms("0.5m"), 30'000);
  CAF_CHECK_EQUAL(ms("1.0004s"), 1'000);
  CAF_CHECK_EQUAL(ms("1.0006s"), 1'001);
}

CAF_TEST(malformed durations are refused with the accepted forms) {
  const std::string hint = ": expected e.g. 250ms, 10s, 5m, 1h or a number of seconds";
  CAF_CHECK_EQUAL(duration_error("-5s"), "invalid duration \"-5s\"" + hint);
  CAF_CHECK_EQUAL(duration_error(""), "invalid duration \"\"" + hint);
  CAF_CHECK_EQUAL(duration_error("10 s"), "invalid duration \"10 s\"" + hint);
  CAF_CHECK_EQUAL(duration_error("5d"), "invalid duration \"5d\"" + hint);
  CAF_CHECK_EQUAL(duration_error("s"), "invalid duration \"s\"" + hint);
  CAF_CHECK_EQUAL(duration_error("1.2.3s"), "invalid duration \"1.2.3s\"" + hint);
  CAF_CHECK_EQUAL(duration_error("10S"), "invalid duration \"10S\"" + hint);
}

CAF_TEST(absurdly long durations are refused rather than wrapped) {
  CAF_CHECK_EQUAL(duration_error("9999999999999999h"),
                  "invalid duration \"9999999999999999h\": too long (at most 27000h)");
  // 1.8e19 ns: past int64 once in nanoseconds, which every timeout becomes.
  CAF_CHECK_EQUAL(duration_error("5000000h"),
                  "invalid duration \"5000000h\": too long (at most 27000h)");
  CAF_CHECK_EQUAL(duration_error("27001h"),
                  "invalid duration \"27001h\": too long (at most 27000h)");
  auto longest = parse_duration("27000h");
  CAF_REQUIRE(longest);
  // Two of the longest added to a clock far from its epoch stay in range.
  CAF_CHECK_GREATER(std::chrono::nanoseconds{*longest}.count() * 2, int64_t{0});
}

CAF_TEST(format duration picks the largest exact unit) {
  CAF_CHECK_EQUAL(format_duration(250ms), "250ms");
  CAF_CHECK_EQUAL(format_duration(10s), "10s");
  CAF_CHECK_EQUAL(format_duration(90s), "90s");
  CAF_CHECK_EQUAL(format_duration(5min), "5m");
  CAF_CHECK_EQUAL(format_duration(2h), "2h");
  CAF_CHECK_EQUAL(format_duration(1500ms), "1500ms");
  CAF_CHECK_EQUAL(format_duration(0ms), "0ms");
}

CAF_TEST(formatted durations parse back to the same value) {
  for (auto d : {0ms, 1ms, 999ms, 1000ms, 61'000ms, 3'600'000ms, 7'260'000ms})
    CAF_CHECK_EQUAL(ms(format_duration(d)), d.count());
}

CAF_TEST(host and port parse with ipv6 brackets and port zero) {
  auto a = parse_host_port("127.0.0.1:7700");
  CAF_REQUIRE(a);
  CAF_CHECK_EQUAL(a->host, "127.0.0.1");
  CAF_CHECK_EQUAL(a->port, 7700);
  auto b = parse_host_port("[::1]:0");
  CAF_REQUIRE(b);
  CAF_CHECK_EQUAL(b->host, "::1");
  CAF_CHECK_EQUAL(b->port, 0);
  for (auto bad : {"nowhere", ":80", "host:", "host:65536", "host:8x"})
    CAF_CHECK(!parse_host_port(bad));
}

CAF_TEST(loopback means an address literal in 127 slash 8 or the ipv6 loopback) {
  for (auto host : {"127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1",
                    "::ffff:127.0.0.1", "::ffff:127.9.8.7"}) {
    CAF_MESSAGE("loopback: " << host);
    CAF_CHECK(is_loopback(host));
  }
  // Names are not addresses, whatever they start with: 127.evil.com resolves
  // wherever its owner wants, and even localhost is resolved by someone else.
  for (auto host : {"0.0.0.0", "10.0.0.5", "::", "example.org", "1270.0.0.1", "127.evil.com",
                    "127.0.0.1.nip.io", "127.", "127.0.0.1 ", " 127.0.0.1", "127.0.0.1/8", "127.1",
                    "0177.0.0.1", "localhost", "::ffff:10.0.0.1", "::2", "[::1]", ""}) {
    CAF_MESSAGE("not loopback: \"" << host << "\"");
    CAF_CHECK(!is_loopback(host));
  }
}
