#define CAF_SUITE libet.http.server_tls
#include "caf/test/unit_test.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "et/http/server.hpp"
#include "http_test_support.hpp"
#include "self_signed.hpp"
#include "server_test_support.hpp"

// The gateway's HTTP server over TLS: the material is checked first (one line
// naming the flag and file, never the key), then whole and streamed replies
// over HTTPS, a plain HTTP request on the TLS port, a stalled handshake, and
// the connection bound.

using namespace et;
using namespace std::chrono_literals;
using test::raw;

namespace {

const test::tls_identity& identity() {
  static const test::tls_identity id = test::make_self_signed();
  return id;
}

const test::tls_identity& other_identity() {
  static const test::tls_identity id = test::make_self_signed("other");
  return id;
}

// `pem` re-encrypted with a passphrase.
std::string encrypted(const std::string& pem) {
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  BIO* out = BIO_new(BIO_s_mem());
  static char pass[] = "secret";
  PEM_write_bio_PrivateKey(out, key, EVP_aes_128_cbc(), nullptr, 0, nullptr, pass);
  EVP_PKEY_free(key);
  char* data = nullptr;
  long n = BIO_get_mem_data(out, &data);
  std::string text{data, static_cast<size_t>(n)};
  BIO_free(out);
  return text;
}

struct fixture {
  test::temp_file cert{identity().cert_pem};
  test::temp_file key{identity().key_pem}; // mkstemp: 0600
  http::server_options opts;
  std::unique_ptr<http::server> srv;
  uint16_t port = 0;
  http::runtime rt{1};
  std::unique_ptr<http::client> client;
  std::mutex mutex;
  std::vector<std::shared_ptr<http::reply>> held;

  fixture() {
    opts.tls = http::server_tls_files{cert.path(), key.path()};
    http::client_options c;
    c.tls.ca_file = cert.path(); // self-signed: its own CA
    client = std::make_unique<http::client>(rt, c);
  }
  void start(http::request_handler h) {
    srv = std::make_unique<http::server>(
        opts, std::move(h), [](const std::string&, int status, const std::string& msg) {
          return std::pair<std::string, std::string>{"application/json",
                                                     "{\"status\":" + std::to_string(status)
                                                         + ",\"message\":\"" + msg + "\"}"};
        });
    auto p = srv->start();
    CAF_REQUIRE(p);
    port = *p;
  }
  std::string base() const { return "https://127.0.0.1:" + std::to_string(port); }
  ~fixture() {
    if (srv)
      srv->stop();
  }
};

http::request_handler echo = [](http::incoming in, std::shared_ptr<http::reply> r) {
  std::thread{[in = std::move(in), r] {
    r->send(200, {{"Content-Type", "text/plain"}}, in.method + " " + in.target + " " + in.body);
  }}.detach();
};

} // namespace

CAF_TEST(bad TLS material is named in one line without the key) {
  test::temp_file cert{identity().cert_pem};
  test::temp_file key{identity().key_pem};
  http::server_tls_names flags{"--tls-cert", "--tls-key"};
  auto ok = http::check_server_tls({cert.path(), key.path()}, flags);
  CAF_REQUIRE(ok);
  CAF_CHECK(ok->empty());
  auto said = [&](const http::server_tls_files& f) {
    auto r = http::check_server_tls(f, flags);
    CAF_REQUIRE(!r);
    auto m = r.error().message;
    CAF_CHECK_EQUAL(r.error().code, errc::invalid_config);
    CAF_CHECK(m.find('\n') == std::string::npos);
    CAF_CHECK(m.find("PRIVATE KEY") == std::string::npos);
    CAF_CHECK(m.find(identity().key_pem.substr(40, 20)) == std::string::npos);
    CAF_MESSAGE(m);
    return m;
  };
  CAF_CHECK(test::contains(said({"/nonexistent/cert.pem", key.path()}),
                           "--tls-cert /nonexistent/cert.pem: cannot read it"));
  CAF_CHECK(test::contains(said({cert.path(), "/nonexistent/key.pem"}),
                           "--tls-key /nonexistent/key.pem: cannot read it"));
  // The key given as the certificate, and the certificate as the key.
  CAF_CHECK(test::contains(said({key.path(), key.path()}), "--tls-cert " + key.path() + ": not a"));
  CAF_CHECK(test::contains(said({cert.path(), cert.path()}), "--tls-key " + cert.path() + ": not"));
  test::temp_file other{other_identity().key_pem};
  CAF_CHECK(test::contains(said({cert.path(), other.path()}), "does not match the certificate"));
  test::temp_file locked{encrypted(identity().key_pem)}; // must fail, never prompt
  CAF_CHECK(test::contains(said({cert.path(), locked.path()}), "passphrase"));
  ::chmod(key.path().c_str(), 0644);
  CAF_CHECK(test::contains(said({cert.path(), key.path()}),
                           "readable by every user (mode 0644): chmod 600"));
  ::chmod(key.path().c_str(), 0640);
  auto warned = http::check_server_tls({cert.path(), key.path()}, flags);
  CAF_REQUIRE(warned);
  CAF_REQUIRE_EQUAL(warned->size(), 1u);
  CAF_CHECK(test::contains(warned->front(), "readable by its group (mode 0640)"));
}

CAF_TEST_FIXTURE_SCOPE(server_tls_tests, fixture)

CAF_TEST(a server with bad material does not start) {
  ::chmod(key.path().c_str(), 0604);
  http::server s{opts, echo};
  auto p = s.start();
  CAF_REQUIRE(!p);
  CAF_CHECK(test::contains(p.error().message, "TLS key " + key.path() + ": readable by every"));
}

CAF_TEST(whole replies over HTTPS on one kept - alive connection) {
  start(echo);
  auto req = test::make_request(base(), "POST", "/v1/x");
  req.body = "hello";
  auto a = test::fetch(*client, req);
  CAF_CHECK(a.ok());
  CAF_CHECK_EQUAL(a.body(), "POST /v1/x hello");
  auto b = test::fetch(*client, test::make_request(base()));
  CAF_CHECK_EQUAL(b.body(), "GET / ");
  CAF_CHECK_EQUAL(srv->connections(), 1u);
}

CAF_TEST(a streamed reply over HTTPS arrives piece by piece) {
  start([this](http::incoming, std::shared_ptr<http::reply> r) {
    r->start(200, {{"Content-Type", "text/event-stream"}});
    r->write("data: one\n\n");
    std::lock_guard<std::mutex> lock{mutex};
    held.push_back(r);
  });
  test::recorder rec;
  client->send(test::make_request(base()), rec.handlers());
  CAF_REQUIRE(rec.wait_pieces(1));
  CAF_CHECK(!rec.snapshot().done);
  {
    std::lock_guard<std::mutex> lock{mutex};
    held[0]->write("data: two\n\n");
    held[0]->end();
  }
  auto out = rec.wait();
  CAF_CHECK(out.ok());
  CAF_CHECK_EQUAL(out.body(), "data: one\n\ndata: two\n\n");
}

CAF_TEST(a plain HTTP request on the TLS port gets a 400 and the connection closes) {
  start(echo);
  raw r{port};
  r.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  bool closed = false;
  auto text = r.read_all(10s, &closed);
  CAF_CHECK(text.rfind("HTTP/1.1 400 ", 0) == 0);
  CAF_CHECK(test::contains(text, "this port speaks HTTPS (TLS): use an https:// URL"));
  CAF_CHECK(test::contains(text, "Connection: close"));
  CAF_CHECK(closed);
}

CAF_TEST(a client that never finishes its handshake loses its slot) {
  opts.handshake_timeout = 200ms;
  opts.max_connections = 2;
  start(echo);
  raw silent{port};                 // says nothing
  raw stalled{port};                // starts a handshake record and stops
  stalled.send("\x16\x03\x01\x02"); // a ClientHello header promising 512+ bytes
  bool closed_silent = false, closed_stalled = false;
  CAF_CHECK(silent.read_all(10s, &closed_silent).empty());
  CAF_CHECK(stalled.read_all(10s, &closed_stalled).empty());
  CAF_CHECK(closed_silent);
  CAF_CHECK(closed_stalled);
  // Both slots are free again: a real client is served, not refused.
  auto a = test::fetch(*client, test::make_request(base()));
  CAF_CHECK(a.ok());
  CAF_CHECK_EQUAL(a.body(), "GET / ");
}

CAF_TEST(connections past the bound get 503 over TLS) {
  opts.max_connections = 1;
  start(echo);
  auto first = test::fetch(*client, test::make_request(base()));
  CAF_CHECK(first.ok()); // kept alive: it holds the only slot
  http::client_options c;
  c.tls.ca_file = cert.path();
  http::client second_client{rt, c};
  auto second = test::fetch(second_client, test::make_request(base()));
  CAF_REQUIRE(second.head);
  CAF_CHECK_EQUAL(second.head->status, 503);
  CAF_CHECK(test::contains(second.body(), "too many open connections"));
}

CAF_TEST(TLS older than 1.2 is refused) {
  start(echo);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
  SSL_CTX_set_security_level(ctx, 0);
  raw r{port};
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, r.fd);
  CAF_CHECK(SSL_connect(ssl) != 1);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  // A 1.2 client with the same library is served.
  SSL_CTX* ok_ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_max_proto_version(ok_ctx, TLS1_2_VERSION);
  raw r2{port};
  SSL* ok = SSL_new(ok_ctx);
  SSL_set_fd(ok, r2.fd);
  CAF_CHECK_EQUAL(SSL_connect(ok), 1);
  CAF_CHECK_EQUAL(std::string{SSL_get_version(ok)}, "TLSv1.2");
  SSL_free(ok);
  SSL_CTX_free(ok_ctx);
}

CAF_TEST_FIXTURE_SCOPE_END()
