#define CAF_SUITE libet.http.run_loop
#include "caf/test/unit_test.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "et/http/detail/run_loop.hpp"

// How et's I/O threads run an io_context: like run(), with a poll before each sleep. Whatever
// the poll's length, every handler runs, in order, and the loop ends as run() would: when the
// io_context runs out of work or is stopped (a poll of an hour must not keep it).

using namespace std::chrono_literals;
namespace asio = boost::asio;
using et::http::detail::run_polling;

namespace {

// Posts `n` handlers from another thread, each only after the one before ran (so the loop
// sleeps or polls between them), then lets the io_context run out of work.
std::vector<int> handed_over(std::chrono::microseconds spin, int n) {
  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
      io.get_executor()};
  std::vector<int> ran;
  std::vector<std::promise<void>> done(static_cast<size_t>(n));
  std::thread poster{[&] {
    for (int i = 0; i < n; ++i) {
      asio::post(io, [&, i] {
        ran.push_back(i);
        done[static_cast<size_t>(i)].set_value();
      });
      done[static_cast<size_t>(i)].get_future().wait();
    }
    asio::post(io, [&] { work.reset(); });
  }};
  run_polling(io, spin);
  poster.join();
  return ran;
}

} // namespace

CAF_TEST(handlers posted from another thread all run in order with or without a poll) {
  for (auto spin : {0us, 50us, std::chrono::microseconds{1h}})
    CAF_CHECK_EQUAL(handed_over(spin, 20), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                                             11, 12, 13, 14, 15, 16, 17, 18, 19}));
}

CAF_TEST(the loop ends when the io_context runs out of work however long it polls) {
  asio::io_context io{1};
  int ran = 0;
  for (int i = 0; i < 3; ++i)
    asio::post(io, [&] { ++ran; });
  run_polling(io, std::chrono::microseconds{1h}); // returns, or the suite times out
  CAF_CHECK_EQUAL(ran, 3);
}

CAF_TEST(the loop ends when the io_context is stopped with work left) {
  asio::io_context io{1};
  auto work = asio::make_work_guard(io);
  asio::post(io, [&] { io.stop(); });
  run_polling(io, std::chrono::microseconds{1h});
  CAF_CHECK(io.stopped());
}
