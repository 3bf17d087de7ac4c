#define CAF_SUITE libet.context.fetch
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <string>

#include "et/context/fetch.hpp"
#include "et/context/fetch_cache.hpp"
#include "et/http/runtime.hpp"

#include "loopback_server.hpp"
#include "temp_dir.hpp"

using namespace et;
using namespace et::context;
using namespace et::test;
using namespace std::chrono_literals;

namespace {

reply page(int status, const std::string& type, const std::string& body, fields extra = {}) {
  if (!type.empty())
    extra.emplace_back("Content-Type", type);
  return reply{}.send(http_response(status, body, std::move(extra)));
}

reply redirect(const std::string& location) {
  return reply{}.send(http_response(302, "", {{"Location", location}}));
}

std::string header(const seen_request& r, const std::string& name) {
  for (const auto& [key, value] : r.headers) {
    std::string lower = key;
    for (auto& c : lower)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == name)
      return value;
  }
  return {};
}

const std::string html = "<html><head><title>Zeppelin guide</title><script>evil()</script>"
                         "</head><body><h1>Landing</h1><p>Drop the &quot;mooring&quot; line."
                         "</p></body></html>";

struct fixture : scratch_dir {
  fixture() : scratch_dir("fetch") {
    settings.allow_private = true;
    settings.timeout = 5s;
  }

  result<fetched_page> get(const std::string& url) {
    page_fetcher f{rt, settings, dir};
    return f.fetch(url);
  }

  http::runtime rt;
  config::fetch_settings settings;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(fetch_tests, fixture)

CAF_TEST(an html page becomes text with its title and is cached) {
  loopback_server server{
      [](const seen_request&) { return page(200, "text/html; charset=utf-8", html); }};
  auto got = get(server.url() + "/guide#part");
  CAF_REQUIRE(got);
  CAF_CHECK_EQUAL(got->url, server.url() + "/guide");
  CAF_CHECK_EQUAL(got->title, "Zeppelin guide");
  CAF_CHECK_EQUAL(got->text, "Landing\n\nDrop the \"mooring\" line.");
  CAF_CHECK(!got->cached);
  auto seen = server.requests();
  CAF_REQUIRE_EQUAL(seen.size(), 1u);
  CAF_CHECK_EQUAL(seen[0].target, "/guide");
  CAF_CHECK_EQUAL(header(seen[0], "authorization"), "");
  auto again = get(server.url() + "/guide");
  CAF_REQUIRE(again);
  CAF_CHECK(again->cached);
  CAF_CHECK_EQUAL(again->text, got->text);
  CAF_CHECK_EQUAL(server.requests().size(), 1u);
}

CAF_TEST(a page in the charset it declares reaches the prompt as utf8) {
  // "Café crème" in Latin-1 (a header says so) and 日本 / あ in Shift_JIS (a meta tag does).
  loopback_server server{[](const seen_request& r) {
    if (r.target == "/latin1")
      return page(200, "text/plain; charset=ISO-8859-1", "Caf\xE9 cr\xE8me\n");
    return page(200, "text/html",
                "<html><head><meta charset=\"shift_jis\"><title>\x93\xFA\x96\x7B</title>"
                "</head><body><p>\x82\xA0</p></body></html>");
  }};
  auto latin1 = get(server.url() + "/latin1");
  CAF_REQUIRE(latin1);
  CAF_CHECK_EQUAL(latin1->text, "Caf\xC3\xA9 cr\xC3\xA8me\n");
  auto sjis = get(server.url() + "/sjis");
  CAF_REQUIRE(sjis);
  CAF_CHECK_EQUAL(sjis->title, "\xE6\x97\xA5\xE6\x9C\xAC"); // 日本
  CAF_CHECK_EQUAL(sjis->text, "\xE3\x81\x82");              // あ
}

CAF_TEST(a corrupted cache entry is fetched again and an expired one too) {
  loopback_server server{[](const seen_request&) { return page(200, "text/plain", "fresh"); }};
  CAF_REQUIRE(get(server.url() + "/p"));
  auto file = cache_file(dir, cache_key(server.url() + "/p", settings));
  CAF_REQUIRE(std::filesystem::exists(file));
  std::ofstream{file, std::ios::trunc} << "{\"key\": broken";
  auto got = get(server.url() + "/p");
  CAF_REQUIRE(got);
  CAF_CHECK(!got->cached);
  CAF_CHECK_EQUAL(got->text, "fresh");
  CAF_CHECK_EQUAL(server.requests().size(), 2u);
  settings.cache_ttl = 0ms;
  CAF_REQUIRE(get(server.url() + "/p"));
  CAF_CHECK_EQUAL(server.requests().size(), 3u);
}

CAF_TEST(without allow_private the same url is refused before any request even when cached) {
  loopback_server server{[](const seen_request&) { return page(200, "text/html", html); }};
  CAF_REQUIRE(get(server.url() + "/guide")); // cached while allowed
  settings.allow_private = false;
  for (const auto& url :
       {server.url() + "/guide", "http://localhost:" + std::to_string(server.port()) + "/guide",
        "http://2130706433:" + std::to_string(server.port()) + "/guide",
        "http://[::ffff:127.0.0.1]:" + std::to_string(server.port()) + "/"}) {
    auto got = get(url);
    CAF_MESSAGE(url);
    CAF_REQUIRE(!got);
    CAF_CHECK_EQUAL(got.error().code, errc::invalid_input);
    CAF_CHECK(got.error().message.starts_with(url + ": refused: "));
  }
  CAF_CHECK_EQUAL(server.requests().size(), 1u);
}

CAF_TEST(a page cached while private addresses were allowed is kept apart) {
  // It may have come from one through a redirect from a public name: were it cached under
  // its URL alone, the cache would serve it once they are not allowed.
  loopback_server server{[](const seen_request&) { return page(200, "text/html", html); }};
  auto url = server.url() + "/guide";
  CAF_REQUIRE(get(url));
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto refused = settings;
  refused.allow_private = false;
  CAF_CHECK_NOT_EQUAL(cache_key(url, settings), cache_key(url, refused));
  CAF_CHECK(load_cached(dir, cache_key(url, settings), now, settings.cache_ttl));
  CAF_CHECK(!load_cached(dir, cache_key(url, refused), now, refused.cache_ttl));
}

CAF_TEST(content types other than text html markdown and json are refused) {
  loopback_server server{[](const seen_request& r) {
    if (r.target == "/pdf")
      return page(200, "application/pdf", "%PDF-1.4");
    if (r.target == "/none")
      return page(200, "", "???");
    if (r.target == "/json")
      return page(200, "application/json", "{\"a\":1}");
    if (r.target == "/md")
      return page(200, "text/markdown", "# T\n\nbody\r\n");
    return page(200, "image/png; x=\"text/html\"", "\x89PNG");
  }};
  auto pdf = get(server.url() + "/pdf");
  CAF_REQUIRE(!pdf);
  CAF_CHECK_EQUAL(pdf.error().message,
                  server.url()
                      + "/pdf: content type application/pdf is not fetched (HTML, plain "
                        "text, Markdown or JSON only)");
  CAF_CHECK(!get(server.url() + "/none"));
  CAF_CHECK(!get(server.url() + "/png"));
  auto json = get(server.url() + "/json");
  CAF_REQUIRE(json);
  CAF_CHECK_EQUAL(json->text, "{\"a\":1}");
  auto md = get(server.url() + "/md");
  CAF_REQUIRE(md);
  CAF_CHECK_EQUAL(md->text, "# T\n\nbody\n");
}

CAF_TEST(a body over max_bytes is refused with or without a length) {
  settings.max_bytes = 1024;
  loopback_server server{[](const seen_request& r) {
    if (r.target == "/chunked")
      return reply::chunked({std::string(600, 'a'), std::string(600, 'b')});
    return page(200, "text/plain", std::string(1025, 'x'));
  }};
  auto sized = get(server.url() + "/sized");
  CAF_REQUIRE(!sized);
  CAF_CHECK(sized.error().message.find("exceeds the limit of 1024 bytes") != std::string::npos);
  auto chunked = get(server.url() + "/chunked");
  CAF_REQUIRE(!chunked);
  CAF_CHECK(chunked.error().message.find("exceeds the limit of 1024 bytes") != std::string::npos);
}

CAF_TEST(a server that never answers hits the time limit) {
  settings.timeout = 300ms;
  loopback_server server{[](const seen_request&) { return reply{}.stall(); }};
  auto got = get(server.url() + "/slow");
  CAF_REQUIRE(!got);
  CAF_CHECK_EQUAL(got.error().code, errc::timeout);
}

CAF_TEST(redirects are followed up to the limit and each is checked again) {
  settings.max_redirects = 2;
  loopback_server server{[](const seen_request& r) {
    if (r.target == "/r1")
      return redirect("/r2");
    if (r.target == "/r2")
      return redirect("r3");
    if (r.target == "/r3")
      return redirect("/end");
    if (r.target == "/to-multicast")
      return redirect("http://224.0.0.1/");
    if (r.target == "/to-unspecified")
      return redirect("http://0.0.0.0:1/");
    if (r.target == "/to-file")
      return redirect("file:///etc/passwd");
    if (r.target == "/to-creds")
      return redirect("http://user:hunter2@example.com/");
    return page(200, "text/plain", "end of the chain");
  }};
  auto too_many = get(server.url() + "/r1");
  CAF_REQUIRE(!too_many);
  CAF_CHECK_EQUAL(too_many.error().message,
                  server.url() + "/r1: more than 2 redirects (context.fetch.max_redirects)");
  settings.max_redirects = 3;
  auto followed = get(server.url() + "/r1");
  CAF_REQUIRE(followed);
  CAF_CHECK_EQUAL(followed->text, "end of the chain");
  CAF_CHECK_EQUAL(followed->url, server.url() + "/r1");
  auto requests = server.requests().size();
  for (const char* target : {"/to-multicast", "/to-unspecified"}) {
    auto got = get(server.url() + target);
    CAF_REQUIRE(!got);
    CAF_CHECK(got.error().message.find(": refused: ") != std::string::npos);
  }
  auto file = get(server.url() + "/to-file");
  CAF_REQUIRE(!file);
  CAF_CHECK(file.error().message.find("only http and https") != std::string::npos);
  auto creds = get(server.url() + "/to-creds");
  CAF_REQUIRE(!creds);
  CAF_CHECK(creds.error().message.find("hunter2") == std::string::npos);
  CAF_CHECK(creds.error().message.find("credentials") != std::string::npos);
  CAF_CHECK_EQUAL(server.requests().size(), requests + 4); // no request beyond the redirects
}

CAF_TEST(an http error status is refused) {
  loopback_server server{[](const seen_request&) { return page(404, "text/html", "gone"); }};
  auto got = get(server.url() + "/x");
  CAF_REQUIRE(!got);
  CAF_CHECK_EQUAL(got.error().message, server.url() + "/x: HTTP 404");
}

CAF_TEST(a reader endpoint gets the url with its key which never shows in errors) {
  loopback_server reader{[](const seen_request& r) {
    if (r.target.find("/fail") != std::string::npos)
      return page(401, "text/plain", "bad key");
    return page(200, "text/markdown", "Title: x\n\nreader text");
  }};
  settings.reader.base_url = reader.url() + "/";
  settings.reader.api_key = "sk-reader-secret-123";
  auto got = get("http://127.0.0.1:9/doc");
  CAF_REQUIRE(got);
  CAF_CHECK_EQUAL(got->text, "Title: x\n\nreader text");
  CAF_CHECK_EQUAL(got->url, "http://127.0.0.1:9/doc");
  auto seen = reader.requests();
  CAF_REQUIRE_EQUAL(seen.size(), 1u);
  CAF_CHECK_EQUAL(seen[0].target, "/http://127.0.0.1:9/doc");
  CAF_CHECK_EQUAL(header(seen[0], "authorization"), "Bearer sk-reader-secret-123");
  auto failed = get("http://127.0.0.1:9/fail");
  CAF_REQUIRE(!failed);
  CAF_CHECK(failed.error().message.find("sk-reader") == std::string::npos);
  // The page's own host passes the gate even through a reader.
  settings.allow_private = false;
  auto refused = get("http://10.0.0.1/doc");
  CAF_REQUIRE(!refused);
  CAF_CHECK(refused.error().message.starts_with("http://10.0.0.1/doc: refused: "));
  CAF_CHECK_EQUAL(reader.requests().size(), 2u);
}

CAF_TEST(a reader that redirects elsewhere does not pass its key on) {
  loopback_server elsewhere{[](const seen_request&) { return page(200, "text/plain", "landed"); }};
  auto port = std::to_string(elsewhere.port());
  loopback_server reader{
      [port](const seen_request&) { return redirect("http://localhost:" + port + "/landed"); }};
  settings.reader.base_url = reader.url() + "/";
  settings.reader.api_key = "sk-reader-secret-123";
  auto got = get("http://127.0.0.1:9/doc");
  CAF_REQUIRE(got);
  CAF_CHECK_EQUAL(got->text, "landed");
  auto seen = elsewhere.requests();
  CAF_REQUIRE_EQUAL(seen.size(), 1u);
  CAF_CHECK_EQUAL(header(seen[0], "authorization"), "");
}

CAF_TEST_FIXTURE_SCOPE_END()
