#define CAF_SUITE libet.http.runtime
#include "caf/test/unit_test.hpp"

#include <boost/asio/post.hpp>
#include <future>
#include <memory>

#include "et/http/detail/runtime_state.hpp"
#include "et/http/runtime.hpp"

// A runtime's last owner may let go on one of the runtime's own I/O threads: a provider actor
// holds a client, whose deleter holds the runtime, and the actor can die inside a completion.
// That destruction must neither join its own thread (std::system_error: terminate) nor free
// the io_context under the handler running on it.

using namespace et;

CAF_TEST(a runtime let go of inside its own callback stops without joining itself) {
  auto rt = std::make_shared<http::runtime>(2);
  auto& io = rt->state().io;
  std::promise<bool> released;
  auto done = released.get_future();
  // This thread posts through a bare reference: it must be out of post() (which may still be
  // signalling the io_context's condition variable) before the handler can destroy it.
  std::promise<void> posted;
  auto out_of_post = posted.get_future().share();
  boost::asio::post(io, [rt = std::move(rt), &released, out_of_post]() mutable {
    out_of_post.wait();
    rt.reset(); // the last owner: ~runtime on this I/O thread
    released.set_value(true);
  });
  posted.set_value();
  CAF_REQUIRE(done.wait_for(std::chrono::seconds{10}) == std::future_status::ready);
  CAF_CHECK(done.get());
}
