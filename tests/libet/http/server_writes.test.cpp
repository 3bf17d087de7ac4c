#define CAF_SUITE libet.http.server_writes
#include "caf/test/unit_test.hpp"

#include <pthread.h>

#include <future>
#include <thread>

#include "et/http/server.hpp"
#include "http_test_support.hpp"
#include "server_test_support.hpp"

// What the gateway's HTTP server writes to a client that reads slowly or not at all: pieces
// that wait go together and in order, what waits is bounded, and one large piece still goes.

using namespace et;
using namespace std::chrono_literals;

using test::fixture;
using test::raw;

CAF_TEST_FIXTURE_SCOPE(server_writes_tests, fixture)

CAF_TEST(pieces on start and end and a burst of writes arrive whole and in order) {
  // The client reads nothing until every piece is queued, so the socket fills and the pieces
  // wait behind a write: they leave together in the next ones, each once, in order. (8 MB
  // wait here: past the default bound on what waits for a slow client.)
  opts.max_queued_bytes = 16 << 20;
  auto queued = std::make_shared<std::promise<void>>();
  start([queued](http::incoming, std::shared_ptr<http::reply> r) {
    r->start(200, {{"Content-Type", "text/event-stream"}}, "first;");
    std::thread{[r, queued] {
      ::pthread_setname_np(::pthread_self(), "test.answer"); // see echo
      for (int i = 0; i < 4000; ++i)
        r->write(std::to_string(i) + std::string(2000, '.') + ";");
      r->end("last");
      queued->set_value();
    }}.detach();
  });
  raw c{port};
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CAF_REQUIRE(queued->get_future().wait_for(20s) == std::future_status::ready);
  auto bytes = c.read_until("0\r\n\r\n", 20s);
  auto body_at = bytes.find("\r\n\r\n");
  CAF_REQUIRE(body_at != std::string::npos);
  std::string body; // the chunked framing taken off
  for (size_t at = body_at + 4; at < bytes.size();) {
    auto line_end = bytes.find("\r\n", at);
    CAF_REQUIRE(line_end != std::string::npos);
    auto size = std::stoul(bytes.substr(at, line_end - at), nullptr, 16);
    body += bytes.substr(line_end + 2, size);
    at = line_end + 2 + size + 2;
  }
  std::string expected = "first;";
  for (int i = 0; i < 4000; ++i)
    expected += std::to_string(i) + std::string(2000, '.') + ";";
  CAF_CHECK_EQUAL(body.size(), expected.size() + 4);
  CAF_CHECK(body == expected + "last");
}

CAF_TEST(a client that reads slower than its stream comes is cut off and its request cancelled) {
  // 64 MiB for a client that reads none of it: past the kernel's buffers the pieces would wait
  // in the server, all of them, until a write timed out.
  opts.max_queued_bytes = 256 << 10;
  std::thread writer;
  start([this, &writer](http::incoming, std::shared_ptr<http::reply> r) {
    r->on_close([this] { gone.set_value(); });
    r->start(200, {{"Content-Type", "text/event-stream"}});
    writer = std::thread{[r] {
      for (int i = 0; i < 1024; ++i)
        r->write(std::string(64 << 10, 'x'));
    }};
  });
  raw c{port};
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"); // and never reads
  CAF_CHECK(gone.get_future().wait_for(10s) == std::future_status::ready);
  if (writer.joinable())
    writer.join();
}

CAF_TEST(one piece larger than the queue bound goes out whole) {
  // A stream request answered in one piece (an upstream that sent one JSON body) is what the
  // stream is: nothing waits ahead of it.
  opts.max_queued_bytes = 64 << 10;
  start([](http::incoming, std::shared_ptr<http::reply> r) {
    r->start(200, {{"Content-Type", "text/event-stream"}});
    r->write(std::string(1 << 20, 'x'));
    r->end("");
  });
  raw c{port};
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  auto bytes = c.read_until("0\r\n\r\n", 20s);
  CAF_CHECK(test::contains(bytes, "100000\r\n" + std::string(1 << 20, 'x')));
}

CAF_TEST_FIXTURE_SCOPE_END()
