#define CAF_SUITE e2e.gateway_tls
#include "caf/test/unit_test.hpp"

#include "gateway_fixture.hpp"
#include "loopback_socket.hpp"
#include "threads.hpp"

// `et serve --http ... --tls-cert FILE --tls-key FILE` with a self-signed
// certificate made at test time: both protocols whole and streamed over HTTPS,
// plain HTTP on the TLS port, bad material named in one line (never the key),
// the rule that beyond loopback means TLS and a key, and a clean SIGTERM; the
// limits: connections, request bodies held at once, and the threads sized by --cpus.

using namespace et::e2e;
using namespace et::e2e::gw;

namespace {

std::string cfg(const fixture& f) {
  return (f.dir / "et.yaml").string();
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_tls_tests, fixture)

CAF_TEST(both protocols whole and streamed over HTTPS) {
  serve_tls();
  CAF_CHECK(has(gateway->err(), "gateway listening on https://127.0.0.1:"));
  CAF_CHECK_EQUAL(call("GET", "/health").status, 200);
  auto r = openai(oai_body("claude", false));
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(
      std::string{json::parse(r.body).at("choices").at(0).at("message").at("content").as_string()},
      "hello gateway");
  auto s = openai(oai_body("gpt", true, R"(,"stream_options":{"include_usage":true})"));
  CAF_CHECK_EQUAL(s.status, 200);
  auto evs = events_of(s.body);
  CAF_CHECK_EQUAL(openai_text(evs), "hello gateway");
  CAF_CHECK(!evs.empty() && evs.back().done);
  auto a = anthropic(ant_body("gpt", false));
  CAF_CHECK_EQUAL(a.status, 200);
  CAF_CHECK_EQUAL(std::string{json::parse(a.body).at("content").at(0).at("text").as_string()},
                  "hello gateway");
  auto as = anthropic(ant_body("claude", true));
  CAF_CHECK_EQUAL(as.status, 200);
  auto aevs = events_of(as.body);
  CAF_CHECK_EQUAL(anthropic_text(aevs), "hello gateway");
  CAF_CHECK(!aevs.empty() && aevs.back().name == "message_stop");
  gateway->signal(SIGTERM);
  CAF_CHECK_EQUAL(gateway->wait(), 0);
  CAF_CHECK(has(gateway->err(), "et serve: stopped"));
  gateway.reset();
}

CAF_TEST(plain HTTP on the HTTPS port gets a 400 that says so) {
  serve_tls();
  auto plain = tls_client.release(); // this call goes out as plain HTTP
  scheme = "http";
  auto r = call("GET", "/health");
  scheme = "https";
  tls_client.reset(plain);
  CAF_CHECK_EQUAL(r.status, 400);
  CAF_CHECK(has(r.body, "this port speaks HTTPS (TLS): use an https:// URL"));
  CAF_CHECK_EQUAL(call("GET", "/health").status, 200); // and the gateway goes on
}

CAF_TEST(bad TLS material is refused in one line naming the flag and the file) {
  write_tls_files();
  auto cert = (dir / "cert.pem").string();
  auto key = (dir / "key.pem").string();
  auto refused = [&](std::vector<std::string> extra, const std::string& said, int code = 2) {
    std::vector<std::string> args{"serve", "--http", "127.0.0.1:0", "--config", cfg(*this)};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_et(dir, args);
    CAF_CHECK_EQUAL(r.code, code);
    CAF_CHECK(has(r.err, said));
    CAF_CHECK_EQUAL(std::count(r.err.begin(), r.err.end(), '\n'), 1);
    CAF_CHECK(!has(r.err, "PRIVATE KEY"));
    CAF_CHECK(!has(r.out + r.err, read_file(dir / "key.pem").substr(40, 24)));
    CAF_MESSAGE(r.err);
  };
  refused({"--tls-cert", cert}, "et serve: --tls-cert needs --tls-key too");
  refused({"--tls-key", key}, "et serve: --tls-key needs --tls-cert too");
  refused({"--tls-cert", (dir / "none.pem").string(), "--tls-key", key},
          "et serve: --tls-cert " + (dir / "none.pem").string() + ": cannot read it");
  refused({"--tls-cert", key, "--tls-key", key},
          "et serve: --tls-cert " + key + ": not a PEM certificate chain");
  fs::copy_file(cert, dir / "cert2.pem"); // private, so that its content is what fails
  fs::permissions(dir / "cert2.pem", fs::perms::owner_read | fs::perms::owner_write);
  auto cert2 = (dir / "cert2.pem").string();
  refused({"--tls-cert", cert, "--tls-key", cert2},
          "et serve: --tls-key " + cert2 + ": not an unencrypted PEM private key");
  fs::permissions(dir / "key.pem", fs::perms::others_read, fs::perm_options::add);
  refused({"--tls-cert", cert, "--tls-key", key},
          "et serve: --tls-key " + key + ": readable by every user (mode 0604): chmod 600 " + key);
}

CAF_TEST(beyond loopback the gateway needs TLS and a key) {
  write_tls_files();
  // Refused before it binds: with no key anyone who reaches the port would spend.
  auto r = run_et(dir, {"serve", "--http", "0.0.0.0:0", "--tls-cert", (dir / "cert.pem").string(),
                        "--tls-key", (dir / "key.pem").string(), "--config", cfg(*this)});
  CAF_CHECK_EQUAL(r.code, 1);
  CAF_CHECK(has(r.err, "a gateway beyond loopback needs a key and none is active"));
  CAF_CHECK(!has(r.err, "listening"));
}

CAF_TEST(a non loopback address without TLS is refused with one line) {
  auto r = run_et(dir, {"serve", "--http", "0.0.0.0:0", "--config", (dir / "et.yaml").string()});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "non-loopback address needs --tls-cert and --tls-key"));
  CAF_CHECK_EQUAL(std::count(r.err.begin(), r.err.end(), '\n'), 1);
  // A name is no address: it may resolve to any interface, and the line says which it is.
  auto named =
      run_et(dir, {"serve", "--http", "localhost:0", "--config", (dir / "et.yaml").string()});
  CAF_CHECK_EQUAL(named.code, 2);
  CAF_CHECK(has(named.err, "\"localhost\" is a name, not a loopback address (127.0.0.1 or ::1), "
                           "and needs --tls-cert and --tls-key"));
}

CAF_TEST(a group readable key is served with a warning) {
  write_tls_files();
  fs::permissions(dir / "key.pem", fs::perms::group_read, fs::perm_options::add);
  scheme = "https";
  et::http::client_options trusting;
  trusting.tls.ca_file = (dir / "cert.pem").string();
  tls_client = std::make_unique<et::http::client>(rt, trusting);
  serve({"--tls-cert", (dir / "cert.pem").string(), "--tls-key", (dir / "key.pem").string()});
  CAF_CHECK(has(gateway->err(), "WARNING: --tls-key " + (dir / "key.pem").string()
                                    + " is readable by its group (mode 0640)"));
  CAF_CHECK_EQUAL(call("GET", "/health").status, 200);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(gateway_limits_tests, fixture)

CAF_TEST(max connections bounds HTTPS connections too) {
  write_tls_files();
  scheme = "https";
  et::http::client_options trusting;
  trusting.tls.ca_file = (dir / "cert.pem").string();
  tls_client = std::make_unique<et::http::client>(rt, trusting);
  serve({"--tls-cert", (dir / "cert.pem").string(), "--tls-key", (dir / "key.pem").string(),
         "--max-connections", "1"});
  CAF_CHECK_EQUAL(call("GET", "/health").status, 200);           // kept alive: the only slot
  auto first = std::move(tls_client);                            // keeps its idle connection open
  tls_client = std::make_unique<et::http::client>(rt, trusting); // a second connection
  auto second = openai(oai_body("gpt", false));
  CAF_CHECK_EQUAL(second.status, 503);
  CAF_CHECK(has(second.body, "too many open connections"));
  CAF_CHECK_EQUAL(upstream.requests(et::fake::endpoint::openai_chat), 0u);
}

// A client that sends all but the last byte of a body of the largest size holds all of a
// 32 MiB bound: the next body, however small, is turned away in its client's protocol.
CAF_TEST(request bodies past the bound held at once get 503 with a retry delay) {
  serve({"--max-bodies-mib", "32"});
  int held = et::test::connect_loopback(port, 10);
  CAF_REQUIRE(held >= 0);
  std::string start = "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                      "application/json\r\nContent-Length: 33554432\r\n\r\n"
                      + std::string((32u << 20) - 1, ' ');
  CAF_CHECK_EQUAL(::send(held, start.data(), start.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(start.size()));
  // Its bytes are read in their own time: /metrics says when all of them are held.
  auto held_becomes = [this](const std::string& n) {
    auto line = "\net_gateway_request_body_bytes " + n + "\n";
    for (int i = 0; i < 1000; ++i)
      if (has(call("GET", "/metrics").body, line))
        return true;
    return false;
  };
  CAF_REQUIRE(held_becomes("33554431"));
  auto refused = anthropic(ant_body("claude", false));
  CAF_CHECK_EQUAL(refused.status, 503);
  CAF_CHECK_EQUAL(refused.header("retry-after"), "1");
  CAF_CHECK(has(refused.body, "\"type\":\"overloaded_error\""));
  CAF_CHECK(has(refused.body, "request bodies of 32 MiB at once"));
  ::close(held);
  CAF_REQUIRE(held_becomes("0"));
  CAF_CHECK_EQUAL(anthropic(ant_body("claude", false)).status, 200);
}

CAF_TEST(with I O threads of its own they are sized for the cores given and say so) {
  serve({"--cpus", "9", "--io", "threads"});
  CAF_CHECK(has(gateway->err(), "et serve: threads for 9 cores: 3 actor workers, 3 provider I/O, "
                                "3 gateway server I/O\n"));
  CAF_CHECK_EQUAL(et::test::threads_named("et.http.server", gateway->pid()), 3u);
  CAF_CHECK_EQUAL(et::test::threads_named("et.http.client", gateway->pid()), 3u);
  for (int i = 0; i < 4; ++i) {
    CAF_CHECK_EQUAL(openai_text(events_of(openai(oai_body("gpt", true)).body)), "hello gateway");
    CAF_CHECK_EQUAL(anthropic(ant_body("claude", false)).status, 200);
  }
}

// The default: the actor workers run the HTTP I/O, so on one core a single thread serves the
// client, runs the actors and talks to the upstream.
CAF_TEST(one core runs one worker that does all the I O and still answers every kind of call) {
  serve({"--cpus", "1"});
  CAF_CHECK(has(gateway->err(), "et serve: threads for 1 core: 1 actor worker running all HTTP "
                                "I/O\n"));
  CAF_CHECK_EQUAL(et::test::threads_named("et.http.server", gateway->pid()), 0u);
  CAF_CHECK_EQUAL(et::test::threads_named("et.http.client", gateway->pid()), 0u);
  for (int i = 0; i < 4; ++i) {
    CAF_CHECK_EQUAL(openai_text(events_of(openai(oai_body("gpt", true)).body)), "hello gateway");
    CAF_CHECK_EQUAL(anthropic(ant_body("claude", false)).status, 200);
  }
}

CAF_TEST(a core count out of range is refused with one line) {
  for (const char* cpus : {"0", "1025", "many"}) {
    auto r = run_et(dir, {"serve", "--http", "127.0.0.1:0", "--cpus", cpus, "--config",
                          (dir / "et.yaml").string()});
    CAF_CHECK_EQUAL(r.code, 2);
    CAF_CHECK_EQUAL(r.err.substr(0, r.err.find('\n')),
                    "et: --cpus: expected a whole number of cores, 1 to 1024, got \""
                        + std::string{cpus} + "\"");
  }
}

CAF_TEST(an unknown io plan is refused with one line) {
  for (const char* io : {"both", "", "workers;rm -rf /"}) {
    auto r = run_et(dir, {"serve", "--http", "127.0.0.1:0", "--io", io, "--config",
                          (dir / "et.yaml").string()});
    CAF_CHECK_EQUAL(r.code, 2);
    CAF_CHECK_EQUAL(r.err.substr(0, r.err.find('\n')),
                    "et: --io: " + std::string{io} + " not in {threads,workers}");
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
