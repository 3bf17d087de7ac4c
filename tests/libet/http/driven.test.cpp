#define CAF_SUITE libet.http.driven
#include "caf/test/unit_test.hpp"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>

#include "et/http/runtime.hpp"
#include "et/http/server.hpp"
#include "http_test_support.hpp"
#include "server_test_support.hpp"

// A runtime made to be driven has no thread of its own: whoever owns it runs its handlers
// (et's actor workers do, so that a socket's completion and the actor it wakes share a
// thread). These cases drive it by hand, or with one plain thread standing in for a worker.

using namespace et;
using namespace std::chrono_literals;

namespace {

// A thread standing in for an actor worker: polls the runtime, and sleeps in it when idle.
struct driver {
  explicit driver(std::shared_ptr<http::runtime> runtime) : rt(std::move(runtime)) {}
  std::shared_ptr<http::runtime> rt;
  std::atomic<bool> done{false};
  std::thread thread{[this] {
    while (!done.load()) {
      if (rt->poll() == 0)
        rt->wait(10ms);
    }
  }};
  ~driver() {
    done = true;
    rt->post([] {}); // out of its wait at once
    thread.join();
  }
};

} // namespace

CAF_TEST(a driven runtime runs nothing until its owner polls and then all that is ready) {
  http::runtime rt{http::runtime::driven, 1};
  CAF_CHECK(rt.is_driven());
  CAF_CHECK(!http::runtime{1}.is_driven());
  int ran = 0;
  rt.post([&] { ++ran; });
  rt.post([&] { ++ran; });
  CAF_CHECK_EQUAL(ran, 0); // no thread of its own
  CAF_CHECK_EQUAL(rt.poll(), 2u);
  CAF_CHECK_EQUAL(ran, 2);
  CAF_CHECK_EQUAL(rt.poll(), 0u);
}

CAF_TEST(a throwing handler is reported and the handlers after it still run on that poll) {
  http::runtime rt{http::runtime::driven, 1};
  int ran = 0;
  rt.post([&] { ++ran; });
  rt.post([] { throw std::runtime_error{"a callback's bug"}; });
  rt.post([&] { ++ran; });
  CAF_CHECK_EQUAL(rt.poll(), 3u); // the driving thread lives on, and every one counts
  CAF_CHECK_EQUAL(ran, 2);
}

CAF_TEST(poll_one runs one ready handler at a time) {
  http::runtime rt{http::runtime::driven, 1};
  int ran = 0;
  rt.post([&] { ++ran; });
  rt.post([&] { ++ran; });
  CAF_CHECK(rt.poll_one());
  CAF_CHECK_EQUAL(ran, 1);
  CAF_CHECK(rt.poll_one());
  CAF_CHECK(!rt.poll_one());
  CAF_CHECK_EQUAL(ran, 2);
}

CAF_TEST(only a driven runtime can be claimed and only once) {
  http::runtime own{1};
  CAF_CHECK(!own.claim());
  http::runtime rt{http::runtime::driven, 3};
  CAF_CHECK_EQUAL(rt.drivers(), 3);
  CAF_CHECK(rt.claim());
  CAF_CHECK(!rt.claim());
}

CAF_TEST(a server refuses to run on a runtime with threads of its own) {
  test::fixture f;
  f.opts.driven_by = std::make_shared<http::runtime>(1);
  http::server srv{f.opts, [](http::incoming, std::shared_ptr<http::reply>) {}};
  auto started = srv.start();
  CAF_REQUIRE(!started);
  CAF_CHECK(test::contains(started.error().message, "threads of its own"));
}

CAF_TEST(wait returns once a handler posted from another thread ran on the waiting thread) {
  http::runtime rt{http::runtime::driven, 1};
  std::atomic<std::thread::id> ran_on{};
  std::thread poster{[&] { rt.post([&] { ran_on = std::this_thread::get_id(); }); }};
  while (ran_on.load() == std::thread::id{})
    rt.wait(10s); // returns after the handler (or the bound, then again)
  poster.join();
  CAF_CHECK(ran_on.load() == std::this_thread::get_id());
}

CAF_TEST(a server on a driven runtime answers on its owner thread and stops with no thread) {
  auto rt = std::make_shared<http::runtime>(http::runtime::driven, 1);
  auto d = std::make_unique<driver>(rt);
  test::fixture f; // its client has a runtime with a thread of its own
  f.opts.driven_by = rt;
  std::atomic<std::thread::id> handled_on{};
  f.start([&](http::incoming in, std::shared_ptr<http::reply> r) {
    handled_on = std::this_thread::get_id();
    r->send(200, {{"Content-Type", "text/plain"}}, in.method + " " + in.target);
  });
  auto a = test::fetch(f.client, test::make_request(f.base(), "GET", "/v1/models"));
  CAF_CHECK(a.ok());
  CAF_CHECK_EQUAL(a.body(), "GET /v1/models");
  CAF_CHECK(handled_on.load() == d->thread.get_id());
  CAF_CHECK_EQUAL(f.srv->connections(), 1u); // kept alive
  f.srv->stop(); // closes that connection on the driver's thread, and waits for it
  CAF_CHECK_EQUAL(f.srv->connections(), 0u);
  d.reset();
}
