#define CAF_SUITE libet.http.server_bodies
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <future>
#include <string>
#include <thread>

#include "et/http/server.hpp"
#include "server_test_support.hpp"

// The bound on request bodies a server holds at once, counted as their bytes arrive: a body
// that would pass it gets 503 with Retry-After before the handler sees it, before it is read
// when its Content-Length says so or as soon as a chunked body outgrows it; a body only
// announced holds nothing; what a body held comes back when its response starts or its
// connection closes.

using namespace et;
using namespace std::chrono_literals;

using test::raw;

namespace {

struct bodies_fixture : test::fixture {
  std::vector<std::string> seen; // the targets the handler got, in order
  std::promise<void> first_held; // set when a /hold request reached the handler
  bool streamed = false;         // /hold requests start a streamed answer and keep it open

  bodies_fixture() {
    opts.max_body_bytes = 100'000;
    opts.max_bodies_bytes = 150'000;
  }

  // /hold requests are kept unanswered (or streaming); others are answered at once.
  void start_holding() {
    start([this](http::incoming in, std::shared_ptr<http::reply> r) {
      std::lock_guard<std::mutex> lock{mutex};
      seen.push_back(in.target);
      if (in.target != "/hold")
        return r->send(200, {}, "got " + std::to_string(in.body.size()));
      if (streamed)
        r->start(200, {}, "first");
      held.push_back(r);
      if (held.size() == 1)
        first_held.set_value();
    });
  }

  // Whether the bytes held come to `n` within a few seconds. The server's connections are
  // read in no set order, and a client cannot see when its bytes were read: only the count.
  bool held_becomes(std::size_t n) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (srv->body_bytes() != n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    return srv->body_bytes() == n;
  }

  std::size_t seen_count() {
    std::lock_guard<std::mutex> lock{mutex};
    return seen.size();
  }
};

std::string post(const std::string& target, std::size_t length) {
  return "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length)
         + "\r\n\r\n" + std::string(length, 'b');
}

// Waits for a whole answer to `post(target, length)` on a connection of its own.
std::string answer_to(uint16_t port, const std::string& target, std::size_t length) {
  raw r{port};
  r.send(post(target, length));
  return r.read_until(" " + std::to_string(length), 10s);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(server_bodies_tests, bodies_fixture)

CAF_TEST(a body past the bound gets 503 until the body held is answered) {
  start_holding();
  raw first{port};
  first.send(post("/hold", 100'000));
  CAF_REQUIRE(first_held.get_future().wait_for(10s) == std::future_status::ready);
  CAF_CHECK_EQUAL(srv->body_bytes(), 100'000u);
  // Refused before a byte of its body is read: no 100 Continue, and no need to send it.
  raw second{port};
  second.send("POST /next HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
              "Content-Length: 60000\r\n\r\n");
  bool closed = false;
  auto refused = second.read_all(10s, &closed);
  CAF_CHECK_EQUAL(refused.rfind("HTTP/1.1 503 ", 0), 0u);
  CAF_CHECK(test::contains(refused, "Retry-After: 1\r\n"));
  CAF_CHECK(test::contains(refused, "\"target\":\"/next\""));
  CAF_CHECK(test::contains(refused, "request bodies of 150000 bytes at once"));
  CAF_CHECK(closed);
  CAF_CHECK_EQUAL(seen_count(), 1u); // the refused body never reached the handler
  // A body that fits beside the one held is served meanwhile.
  CAF_CHECK(test::contains(answer_to(port, "/small", 40'000), "HTTP/1.1 200 "));
  {
    std::lock_guard<std::mutex> lock{mutex};
    held.front()->send(200, {}, "done");
  }
  CAF_CHECK(test::contains(first.read_until("done", 10s), "HTTP/1.1 200 "));
  CAF_CHECK(test::contains(answer_to(port, "/again", 60'000), "HTTP/1.1 200 "));
}

CAF_TEST(a streamed answer that started lets go of its body) {
  streamed = true;
  start_holding();
  raw first{port};
  first.send(post("/hold", 100'000));
  CAF_REQUIRE(first_held.get_future().wait_for(10s) == std::future_status::ready);
  CAF_CHECK(test::contains(first.read_until("first\r\n", 10s), "HTTP/1.1 200 "));
  // The stream is still open, and a second large body is served beside it.
  CAF_CHECK(test::contains(answer_to(port, "/next", 100'000), "HTTP/1.1 200 "));
}

CAF_TEST(a chunked body is held as it grows) {
  start_holding();
  raw first{port};
  first.send(post("/hold", 100'000));
  CAF_REQUIRE(first_held.get_future().wait_for(10s) == std::future_status::ready);
  raw second{port};
  second.send("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  // 60,000 bytes in 4,000-byte chunks: past the 50,000 left before its end.
  for (int i = 0; i < 15; ++i)
    second.send("fa0\r\n" + std::string(4000, 'c') + "\r\n");
  auto refused = second.read_until("\"}", 10s);
  CAF_CHECK_EQUAL(refused.rfind("HTTP/1.1 503 ", 0), 0u);
  CAF_CHECK_EQUAL(seen_count(), 1u);
  // A small chunked body is served.
  raw third{port};
  third.send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
             "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  CAF_CHECK(test::contains(third.read_until("got 5", 10s), "HTTP/1.1 200 "));
}

// The parser's bounds are on the head and the body; a chunk header's extensions and the
// trailers are neither, and without a bound of their own they grew the read buffer until the
// body timed out (gigabytes on loopback).
CAF_TEST(a chunk header or trailers without end are refused before they take memory) {
  start_holding();
  std::string head = "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (auto opening : {std::string{"5;"}, std::string{"5\r\nhello\r\n0\r\nX-Trailer: "}}) {
    raw sender{port};
    sender.send(head + opening);
    for (int i = 0; i < 4; ++i) // 256 KiB, past the 64 KiB head bound and a read's 64 KiB
      sender.send(std::string(64 << 10, 'a'));
    auto refused = sender.read_until("bytes", 10s);
    CAF_CHECK_EQUAL(refused.rfind("HTTP/1.1 400 ", 0), 0u);
    CAF_CHECK(test::contains(refused, "a chunk header or the trailers"));
  }
  CAF_CHECK_EQUAL(seen_count(), 0u);
  CAF_CHECK(held_becomes(0));
}

// The 100 Continue says the server read the headers, and that the body was not refused.
CAF_TEST(a body only announced holds nothing) {
  start_holding();
  std::string announce = "POST /hold HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                         "Content-Length: 100000\r\n\r\n";
  raw first{port};
  first.send(announce);
  CAF_CHECK_EQUAL(first.read_until("\r\n\r\n", 10s), "HTTP/1.1 100 Continue\r\n\r\n");
  raw second{port};
  second.send(announce);
  CAF_CHECK_EQUAL(second.read_until("\r\n\r\n", 10s), "HTTP/1.1 100 Continue\r\n\r\n");
  CAF_CHECK(test::contains(answer_to(port, "/whole", 100'000), "HTTP/1.1 200 "));
}

CAF_TEST(a client that leaves halfway through its body gives back what it held) {
  start_holding();
  {
    raw quitter{port};
    quitter.send("POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
                 + std::string(90'000, 'q'));
    CAF_REQUIRE(held_becomes(90'000));
    // A second body as large does not fit beside it.
    CAF_CHECK_EQUAL(answer_to(port, "/after", 100'000).rfind("HTTP/1.1 503 ", 0), 0u);
  } // closed here
  CAF_REQUIRE(held_becomes(0));
  CAF_CHECK(test::contains(answer_to(port, "/after", 100'000), "HTTP/1.1 200 "));
  CAF_CHECK_EQUAL(seen_count(), 1u); // the last /after: the quitter never got there
}

// A client the head check turns away (the gateway: no key) cannot make the server read its
// body: the refusal comes before a byte of it is read, with no 100 Continue.
CAF_TEST(a head the check refuses is answered before its body is read) {
  start(
      [this](http::incoming in, std::shared_ptr<http::reply> r) {
        {
          std::lock_guard<std::mutex> lock{mutex};
          seen.push_back(in.target + " " + std::string{in.header("x-key")});
        }
        r->send(200, {}, "got " + std::to_string(in.body.size()));
      },
      [](const http::incoming& head, const std::shared_ptr<http::reply>& r) {
        if (head.header("x-key") == "good" && head.body.empty())
          return true;
        r->send(401, {{"Content-Type", "text/plain"}}, "no key on " + head.target);
        return false;
      });
  std::string head = "POST /v1/messages HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                     "Content-Length: 100000\r\n";
  raw refused{port};
  refused.send(head + "x-key: bad\r\n\r\n");
  bool closed = false;
  auto text = refused.read_all(10s, &closed);
  CAF_CHECK_EQUAL(text.rfind("HTTP/1.1 401 ", 0), 0u);
  CAF_CHECK(test::contains(text, "Connection: close\r\n"));
  CAF_CHECK(text.ends_with("no key on /v1/messages"));
  CAF_CHECK(closed);
  // A client that sends its body without waiting: read and dropped, never held.
  raw eager{port};
  eager.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
             + std::string(100'000, 'e'));
  closed = false;
  CAF_CHECK_EQUAL(eager.read_all(10s, &closed).rfind("HTTP/1.1 401 ", 0), 0u);
  CAF_CHECK(closed);
  CAF_CHECK_EQUAL(srv->body_bytes(), 0u);
  raw let_in{port};
  let_in.send(head + "x-key: good\r\n\r\n");
  CAF_CHECK_EQUAL(let_in.read_until("\r\n\r\n", 10s), "HTTP/1.1 100 Continue\r\n\r\n");
  let_in.send(std::string(100'000, 'b'));
  CAF_CHECK(test::contains(let_in.read_until("got 100000", 10s), "HTTP/1.1 200 "));
  // A request without a body goes to the handler, which checks it anyway: not to the check.
  raw bodiless{port};
  bodiless.send("GET /v1/models HTTP/1.1\r\nHost: x\r\nx-key: bad\r\n\r\n");
  CAF_CHECK(test::contains(bodiless.read_until("got 0", 10s), "HTTP/1.1 200 "));
  std::lock_guard<std::mutex> lock{mutex};
  CAF_CHECK_EQUAL(seen, (std::vector<std::string>{"/v1/messages good", "/v1/models bad"}));
}

// An SDK sends its whole body before it reads: a slow upload must still get its refusal, not
// a reset after the 2 s a refused body of its own (413) gets.
CAF_TEST(a refused head drops a slow body for as long as a body may take) {
  start([](http::incoming, std::shared_ptr<http::reply> r) { r->send(200, {}, "in"); },
        [](const http::incoming&, const std::shared_ptr<http::reply>& r) {
          r->send(401, {}, "no key");
          return false;
        });
  raw slow{port};
  slow.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n"
            + std::string(10'000, 's'));
  std::this_thread::sleep_for(2500ms); // time passing is what this test is about
  for (int i = 0; i < 5; ++i)          // to a closed connection, the second piece fails (a reset)
    slow.send(std::string(2'000, 's'));
  bool closed = false;
  auto text = slow.read_all(10s, &closed);
  CAF_CHECK_EQUAL(text.rfind("HTTP/1.1 401 ", 0), 0u);
  CAF_CHECK(text.ends_with("no key"));
}

CAF_TEST(a bound below the largest body is refused at start) {
  opts.max_bodies_bytes = opts.max_body_bytes - 1;
  http::server s{opts, [](http::incoming, std::shared_ptr<http::reply>) {}};
  auto started = s.start();
  CAF_REQUIRE(!started);
  CAF_CHECK(test::contains(started.error().message, "below the largest body (100000 bytes)"));
}

CAF_TEST_FIXTURE_SCOPE_END()
