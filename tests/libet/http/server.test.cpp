#define CAF_SUITE libet.http.server
#include "caf/test/unit_test.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "et/http/server.hpp"
#include "http_test_support.hpp"
#include "server_test_support.hpp"
#include "threads.hpp"

// The gateway's HTTP server against libet's own client and raw sockets:
// whole and streamed replies from other threads, keep-alive, limits on
// bodies, headers, time and connections, and noticing a client that leaves.

using namespace et;
using namespace std::chrono_literals;

using test::fixture;
using test::raw;

namespace {

http::request_handler echo = [](http::incoming in, std::shared_ptr<http::reply> r) {
  // Answered from another thread, as the gateway's actors do. It would inherit the I/O
  // thread's name and, still ending after its answer, pass for a server thread still running.
  std::thread{[in = std::move(in), r] {
    ::pthread_setname_np(::pthread_self(), "test.answer");
    r->send(200, {{"Content-Type", "text/plain"}, {"X-Test", "a\r\nInjected: yes"}},
            in.method + " " + in.target + " " + in.body + " " + std::string{in.header("x-ONE")});
  }}.detach();
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(server_tests, fixture)

CAF_TEST(a server that never listened lets go of everything it holds) {
  // The handler holds `held_by_handler`: once the server is gone, only the test does.
  auto held_by_handler = std::make_shared<int>(0);
  http::request_handler handler = [held_by_handler](http::incoming, std::shared_ptr<http::reply>) {
  };
  { http::server never_started{opts, handler, {}}; }
  {
    auto bad = opts;
    bad.host = "not-an-address";
    http::server failed{bad, handler, {}};
    CAF_CHECK(!failed.start());
  }
  handler = {};
  CAF_CHECK_EQUAL(held_by_handler.use_count(), 1);
}

CAF_TEST(whole replies from another thread over one kept - alive connection) {
  start(echo);
  auto req = test::make_request(base(), "POST", "/v1/x?y=1");
  req.body = "hello";
  req.headers.emplace_back("X-One", "1");
  auto a = test::fetch(client, req);
  CAF_CHECK(a.ok());
  CAF_CHECK_EQUAL(a.head->status, 200);
  CAF_CHECK_EQUAL(a.body(), "POST /v1/x?y=1 hello 1");
  for (const auto& [k, v] : a.head->headers)
    CAF_CHECK(k != "Injected"); // a header value cannot add a header
  auto b = test::fetch(client, test::make_request(base()));
  CAF_CHECK_EQUAL(b.body(), "GET /  ");
  CAF_CHECK_EQUAL(client.idle_connections(parse_url(base()).value()), 1u);
  CAF_CHECK_EQUAL(srv->connections(), 1u);
}

CAF_TEST(a streamed reply arrives piece by piece) {
  start([this](http::incoming, std::shared_ptr<http::reply> r) {
    r->start(200, {{"Content-Type", "text/event-stream"}});
    r->write("data: one\n\n");
    std::lock_guard<std::mutex> lock{mutex};
    held.push_back(r);
  });
  test::recorder rec;
  client.send(test::make_request(base()), rec.handlers());
  CAF_REQUIRE(rec.wait_pieces(1));
  CAF_CHECK(!rec.snapshot().done); // still open: the handler has not ended it
  {
    std::lock_guard<std::mutex> lock{mutex};
    held[0]->write("data: two\n\n");
    held[0]->end();
  }
  auto out = rec.wait();
  CAF_CHECK(out.ok());
  CAF_CHECK_EQUAL(out.body(), "data: one\n\ndata: two\n\n");
}

CAF_TEST(bodies and headers past their bounds are refused with the renderer) {
  opts.max_body_bytes = 100;
  opts.max_header_bytes = 1024;
  start(echo);
  auto big = test::make_request(base(), "POST", "/v1/messages");
  big.body = std::string(101, 'x');
  auto a = test::fetch(client, big);
  CAF_REQUIRE(a.head);
  CAF_CHECK_EQUAL(a.head->status, 413);
  CAF_CHECK(test::contains(a.body(), "\"target\":\"/v1/messages\""));
  CAF_CHECK(test::contains(a.body(), "larger than 100 bytes"));
  raw r{port};
  r.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  bool closed = false;
  auto text = r.read_all(5s, &closed);
  CAF_CHECK(text.rfind("HTTP/1.1 431 ", 0) == 0);
  CAF_CHECK(closed);
}

CAF_TEST(a client that never finishes its headers is cut off) {
  opts.header_timeout = 200ms;
  start(echo);
  raw r{port};
  r.send("GET / HTTP/1.1\r\nHost: x\r\n"); // and nothing more
  bool closed = false;
  auto text = r.read_all(10s, &closed);
  CAF_CHECK(closed);
  CAF_CHECK(text.empty());
}

// The header deadline moves with every request without re-arming a timer each time
// (lazy_timer): the wait pending since the first request ends before the current deadline
// and must wait again, not cut the connection.
CAF_TEST(a connection whose requests come within the header limit outlasts it in all) {
  opts.header_timeout = 1s;
  start(echo);
  raw r{port};
  for (int i = 0; i < 4; ++i) {
    if (i > 0)
      std::this_thread::sleep_for(400ms); // time passing is what this test is about
    r.send("GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    auto text = r.read_until("GET /" + std::to_string(i) + "  ", 5s);
    CAF_MESSAGE("request " << i << ": " << text.substr(0, 12));
    CAF_CHECK_EQUAL(text.rfind("HTTP/1.1 200 ", 0), 0u);
  }
}

// The 100 Continue of a second request on a kept-alive connection is not the end of a
// response: taken for one, it started a next request while the body was still being read.
CAF_TEST(a 100 Continue on a kept - alive connection is followed by the answer) {
  start(echo);
  raw r{port};
  r.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
  auto first = r.read_until("GET /one  ", 5s);
  CAF_CHECK_EQUAL(first.rfind("HTTP/1.1 200 ", 0), 0u);
  r.send("POST /two HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  auto interim = r.read_until("\r\n\r\n", 5s);
  CAF_CHECK_EQUAL(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  r.send("hello");
  auto second = r.read_until("POST /two hello ", 5s);
  CAF_CHECK_EQUAL(second.rfind("HTTP/1.1 200 ", 0), 0u);
  CAF_CHECK(second.ends_with("POST /two hello "));
}

CAF_TEST(a client that leaves while its request is handled is noticed) {
  start([this](http::incoming, std::shared_ptr<http::reply> r) {
    r->on_close([this] { gone.set_value(); });
    std::lock_guard<std::mutex> lock{mutex};
    held.push_back(r); // never answered
  });
  {
    raw r{port};
    r.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  } // closed here
  CAF_CHECK(gone.get_future().wait_for(10s) == std::future_status::ready);
}

// A handler may call its reply late (the gateway's hang-up callback is set after its key
// check): by then the connection may carry its next request, which that call must not touch.
CAF_TEST(a reply of an earlier request on a connection touches nothing of the next) {
  std::promise<void> second_in, first_closed, second_closed;
  start([this, &second_in](http::incoming in, std::shared_ptr<http::reply> r) {
    std::lock_guard<std::mutex> lock{mutex};
    held.push_back(r);
    if (in.target == "/one")
      r->send(200, {}, "one");
    else
      second_in.set_value();
  });
  {
    raw c{port};
    c.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
    CAF_REQUIRE(test::contains(c.read_until("one", 10s), "HTTP/1.1 200 "));
    c.send("GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
    CAF_REQUIRE(second_in.get_future().wait_for(10s) == std::future_status::ready);
    std::lock_guard<std::mutex> lock{mutex};
    held[1]->on_close([&] { second_closed.set_value(); });
    held[0]->on_close([&] { first_closed.set_value(); }); // late: must not replace the other
    held[0]->send(200, {}, "stale");                      // late: must not answer /two
    CAF_CHECK_EQUAL(c.read_all(300ms), "");
  } // the client hangs up while /two is under way
  CAF_CHECK(second_closed.get_future().wait_for(10s) == std::future_status::ready);
  CAF_CHECK(first_closed.get_future().wait_for(0s) != std::future_status::ready);
}

// Bytes past a head's worth sent ahead of an answer end the watch for a hang-up: the client
// is cut off and its request cancelled, rather than left to run for nobody.
CAF_TEST(a client that sends far ahead of its answer is cut off and its request cancelled) {
  start([this](http::incoming, std::shared_ptr<http::reply> r) {
    r->on_close([this] { gone.set_value(); });
    std::lock_guard<std::mutex> lock{mutex};
    held.push_back(r);
  });
  raw c{port};
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + std::string(70 << 10, 'x'));
  CAF_CHECK(gone.get_future().wait_for(10s) == std::future_status::ready);
}

// A server that stops under a response that did not end tells its handler, as for a client
// that left, so that the work behind it stops too.
CAF_TEST(stopping under a response that did not end tells its handler) {
  std::promise<void> in;
  start([this, &in](http::incoming, std::shared_ptr<http::reply> r) {
    r->on_close([this] { gone.set_value(); });
    std::lock_guard<std::mutex> lock{mutex};
    held.push_back(r);
    in.set_value();
  });
  raw c{port};
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CAF_REQUIRE(in.get_future().wait_for(10s) == std::future_status::ready);
  srv->stop();
  CAF_CHECK(gone.get_future().wait_for(10s) == std::future_status::ready);
}

CAF_TEST(connections past the bound get 503) {
  opts.max_connections = 1;
  start(echo);
  raw first{port};
  first.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CAF_CHECK(test::contains(first.read_all(200ms), "HTTP/1.1 200 ")); // the first one is served
  auto second = test::fetch(client, test::make_request(base()));
  CAF_REQUIRE(second.head);
  CAF_CHECK_EQUAL(second.head->status, 503);
  CAF_CHECK(test::contains(second.body(), "too many open connections"));
}

// Out of descriptors, an accept made again at once fails again at once: the server waits
// between accepts instead of spinning, and serves again once a descriptor is free.
CAF_TEST(a server out of descriptors waits between accepts and serves again after) {
  start(echo);
  rlimit was{};
  CAF_REQUIRE_EQUAL(::getrlimit(RLIMIT_NOFILE, &was), 0);
  auto open_now = std::distance(std::filesystem::directory_iterator{"/proc/self/fd"},
                                std::filesystem::directory_iterator{});
  rlimit low = was;
  low.rlim_cur = static_cast<rlim_t>(open_now + 4);
  CAF_REQUIRE_EQUAL(::setrlimit(RLIMIT_NOFILE, &low), 0);
  // Clients until no socket can be made: the last one's connection waits for a descriptor.
  std::vector<std::unique_ptr<raw>> clients;
  for (int i = 0; i < 16; ++i) {
    clients.push_back(std::make_unique<raw>(port));
    if (clients.back()->fd < 0)
      break;
  }
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (srv->starved_accepts() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  auto first = srv->starved_accepts();
  std::this_thread::sleep_for(300ms); // a window to count the tries in, not a wait for them
  auto later = srv->starved_accepts();
  clients.clear();
  CAF_REQUIRE_EQUAL(::setrlimit(RLIMIT_NOFILE, &was), 0);
  CAF_CHECK_GREATER(first, 0u);
  CAF_CHECK_LESS_OR_EQUAL(later - first, 12u); // one try per 50 ms; a busy loop makes thousands
  auto served = test::fetch(client, test::make_request(base()));
  CAF_REQUIRE(served.head);
  CAF_CHECK_EQUAL(served.head->status, 200);
}

CAF_TEST(stopping lets a response under way finish and closes idle connections) {
  start([this](http::incoming, std::shared_ptr<http::reply> r) {
    r->start(200, {{"Content-Type", "text/event-stream"}});
    r->write("data: one\n\n");
    std::lock_guard<std::mutex> lock{mutex};
    held.push_back(r);
  });
  raw idle{port}; // a connection without a request: closed at once
  test::recorder rec;
  client.send(test::make_request(base()), rec.handlers());
  CAF_REQUIRE(rec.wait_pieces(1));
  std::thread stopping{[this] { srv->stop(std::chrono::seconds{10}); }};
  // Once the listener is closed, the connections have been told to wind down.
  auto refused = [this] {
    raw probe{port};
    return probe.fd < 0;
  };
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!refused() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  CAF_CHECK(refused());
  bool closed_idle = false;
  idle.read_all(10s, &closed_idle);
  CAF_CHECK(closed_idle);
  {
    std::lock_guard<std::mutex> lock{mutex};
    held[0]->write("data: two\n\n");
    held[0]->end();
  }
  auto out = rec.wait();
  stopping.join();
  CAF_CHECK(out.ok());
  CAF_CHECK_EQUAL(out.body(), "data: one\n\ndata: two\n\n");
}

// et serve sizes the server's I/O threads for its cores: many connections at once over several
// threads, each answered right, and a stop while clients keep connecting (the acceptor's
// completions and its close share a strand). Under TSan in `make tsan`.
CAF_TEST(several I O threads serve many connections at once and stop cleanly) {
  opts.threads = 3;
  start(echo);
  CAF_CHECK_EQUAL(test::threads_named("et.http.server"), 3u);
  http::runtime several{3};
  http::client busy{several, http::client_options{}};
  for (int round = 0; round < 3; ++round) {
    std::vector<test::recorder> recs(16);
    for (std::size_t i = 0; i < recs.size(); ++i) {
      auto req = test::make_request(base(), "POST", "/n");
      req.body = std::to_string(round) + "-" + std::to_string(i);
      busy.send(std::move(req), recs[i].handlers());
    }
    for (std::size_t i = 0; i < recs.size(); ++i)
      CAF_CHECK_EQUAL(recs[i].wait().body(),
                      "POST /n " + std::to_string(round) + "-" + std::to_string(i) + " ");
  }
  std::atomic<bool> done{false};
  std::thread knocking{[&] {
    while (!done)
      raw knock{port};
  }};
  srv->stop();
  done = true;
  knocking.join();
  CAF_CHECK_EQUAL(test::threads_named("et.http.server"), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
