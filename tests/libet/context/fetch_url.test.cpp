#define CAF_SUITE libet.context.fetch_url
#include "caf/test/unit_test.hpp"

#include "et/context/fetch_url.hpp"

using namespace et::context;

CAF_TEST(http and https urls parse with port path and query) {
  auto u = parse_web_url("HTTPS://Example.COM/a/b?x=1&y=2#frag");
  CAF_REQUIRE(u);
  CAF_CHECK_EQUAL(u->scheme, "https");
  CAF_CHECK_EQUAL(u->host, "example.com");
  CAF_CHECK_EQUAL(u->port, 443);
  CAF_CHECK_EQUAL(u->target, "/a/b?x=1&y=2");
  CAF_CHECK_EQUAL(u->text(), "https://example.com/a/b?x=1&y=2");
  auto v = parse_web_url("http://[::1]:8080");
  CAF_REQUIRE(v);
  CAF_CHECK_EQUAL(v->host, "::1");
  CAF_CHECK_EQUAL(v->port, 8080);
  CAF_CHECK_EQUAL(v->target, "/");
  CAF_CHECK_EQUAL(v->text(), "http://[::1]:8080/");
}

CAF_TEST(other schemes and malformed urls are refused naming the url) {
  for (const char* bad :
       {"ftp://example.com/", "file:///etc/passwd", "gopher://x/", "example.com", "http://",
        "http://:80/", "http://exa mple.com/", "http://a:99999/", "http://a:0/", "http://a:x/",
        "http://[::1/", "http://[zz]/", "javascript://x/%0aalert(1)", "http://a\r\nb/"}) {
    CAF_MESSAGE(bad);
    auto u = parse_web_url(bad);
    CAF_REQUIRE(!u);
    CAF_CHECK_EQUAL(u.error().code, et::errc::invalid_input);
    CAF_CHECK(u.error().message.find('\r') == std::string::npos);
    CAF_CHECK(u.error().message.find('\n') == std::string::npos);
  }
  auto u = parse_web_url("ftp://example.com/x");
  CAF_CHECK_EQUAL(u.error().message, "ftp://example.com/x: only http and https URLs are fetched");
}

CAF_TEST(credentials in a url are refused and never echoed) {
  for (const char* bad : {"https://user:s3cr3t-pass@example.com/", "http://s3cr3t-pass@example.com",
                          "http://user:s3cr3t-pass@[::1]:80/x?y@z"}) {
    auto u = parse_web_url(bad);
    CAF_REQUIRE(!u);
    CAF_CHECK(u.error().message.find("s3cr3t") == std::string::npos);
    CAF_CHECK(u.error().message.find("credentials") != std::string::npos);
  }
  CAF_CHECK_EQUAL(shown_url("https://u:p@h.example/x@y"), "https://h.example/x@y");
  // '@' after the authority is path, not credentials.
  CAF_CHECK(parse_web_url("https://example.com/@user"));
}

CAF_TEST(request targets cannot carry spaces or control bytes) {
  auto u = parse_web_url("http://example.com/a b\r\nHost: evil\x01?q=\"x\"");
  CAF_REQUIRE(u);
  CAF_CHECK_EQUAL(u->target, "/a%20b%0D%0AHost:%20evil%01?q=%22x%22");
}

CAF_TEST(redirect locations resolve against the current url) {
  auto base = parse_web_url("https://example.com/docs/page.html?q=1");
  CAF_REQUIRE(base);
  auto abs = redirect_target(*base, "https://other.example:81/x");
  CAF_REQUIRE(abs);
  CAF_CHECK_EQUAL(abs->text(), "https://other.example:81/x");
  auto scheme_rel = redirect_target(*base, "//cdn.example/y");
  CAF_REQUIRE(scheme_rel);
  CAF_CHECK_EQUAL(scheme_rel->text(), "https://cdn.example/y");
  auto path = redirect_target(*base, "/root#f");
  CAF_REQUIRE(path);
  CAF_CHECK_EQUAL(path->text(), "https://example.com/root");
  auto rel = redirect_target(*base, "other.html");
  CAF_REQUIRE(rel);
  CAF_CHECK_EQUAL(rel->text(), "https://example.com/docs/other.html");
  auto query = redirect_target(*base, "?q=2");
  CAF_REQUIRE(query);
  CAF_CHECK_EQUAL(query->text(), "https://example.com/docs/page.html?q=2");
  auto same = redirect_target(*base, "#part");
  CAF_REQUIRE(same);
  CAF_CHECK_EQUAL(same->text(), "https://example.com/docs/page.html?q=1");
  auto up = redirect_target(*base, "../img/./a.png?s=1");
  CAF_REQUIRE(up);
  CAF_CHECK_EQUAL(up->text(), "https://example.com/img/a.png?s=1");
  auto above = redirect_target(*base, "/a/b/../../../c/");
  CAF_REQUIRE(above);
  CAF_CHECK_EQUAL(above->text(), "https://example.com/c/");
  auto absolute = redirect_target(*base, "https://other.example/a/./b/../c?x=/../y");
  CAF_REQUIRE(absolute);
  CAF_CHECK_EQUAL(absolute->text(), "https://other.example/a/c?x=/../y");
  auto folder = redirect_target(*base, "sub/..");
  CAF_REQUIRE(folder);
  CAF_CHECK_EQUAL(folder->text(), "https://example.com/docs/");
  CAF_CHECK(!redirect_target(*base, "file:///etc/passwd"));
  CAF_CHECK(!redirect_target(*base, "http://u:p@x/"));
  CAF_CHECK(!redirect_target(*base, ""));
}

CAF_TEST(a redirect from https to http is refused and the other way is followed) {
  auto secure = parse_web_url("https://example.com/a");
  CAF_REQUIRE(secure);
  for (auto location : {"http://example.com/a", "HTTP://other.example/"}) {
    auto down = redirect_target(*secure, location);
    CAF_REQUIRE(!down);
    CAF_CHECK(down.error().message.find("from https to http") != std::string::npos);
  }
  auto scheme_relative = redirect_target(*secure, "//cdn.example/x");
  CAF_REQUIRE(scheme_relative);
  CAF_CHECK_EQUAL(scheme_relative->scheme, "https");
  auto plain = parse_web_url("http://example.com/a");
  CAF_REQUIRE(plain);
  auto up = redirect_target(*plain, "https://example.com/a");
  CAF_REQUIRE(up);
  CAF_CHECK_EQUAL(up->scheme, "https");
  CAF_CHECK(redirect_target(*plain, "http://example.com/b"));
}
