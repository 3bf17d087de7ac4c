#include "et/http/whole.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>

namespace et::http {

namespace {

// What the exchange delivered so far, filled on the client's I/O thread.
struct waiting {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::optional<failure> failed;
  whole_response response;
};

} // namespace

result<whole_response> send_whole(client& c, request req) {
  auto state = std::make_shared<waiting>();
  handlers h;
  h.on_head = [state](const response_head& head) {
    std::lock_guard lock{state->mutex};
    state->response.status = head.status;
    state->response.headers = head.headers;
  };
  h.on_body = [state](std::string_view piece) {
    std::lock_guard lock{state->mutex};
    state->response.body.append(piece);
  };
  h.on_done = [state](result<void> outcome) {
    std::lock_guard lock{state->mutex};
    if (!outcome)
      state->failed = outcome.error();
    state->done = true;
    state->done_cv.notify_all();
  };
  c.send(std::move(req), std::move(h));
  // on_done always comes, exactly once (client.hpp).
  std::unique_lock lock{state->mutex};
  state->done_cv.wait(lock, [&] { return state->done; });
  if (state->failed)
    return *state->failed;
  return std::move(state->response);
}

} // namespace et::http
