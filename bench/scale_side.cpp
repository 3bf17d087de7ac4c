#include "scale_side.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/http_provider_actor.hpp"
#include "et/actors/router.hpp"
#include "et/actors/system_setup.hpp"
#include "et/config/loader.hpp"
#include "et/http/runtime.hpp"
#include "et/provider/http_provider.hpp"
#include "scale_proc.hpp"
#include "support.hpp"

namespace et::bench::scale {

namespace {

using namespace et::actors;
using clock_type = std::chrono::steady_clock;

// Every stream answers these four tokens, one per event; the upstream holds
// it after the first.
constexpr const char* expected_text = "tok0 tok1 tok2 tok3";
constexpr int expected_chunks = 4;
constexpr int64_t warmup_streams = 32;
constexpr auto settle_limit = std::chrono::seconds{90};

// Prints the result for the parent; a failure ends the process here, before
// any teardown that could wait for stuck streams.
void publish(const side_result& r) {
  std::printf("%s\n", r.to_line().c_str());
  std::fflush(stdout);
  if (!r.error.empty())
    std::_Exit(1);
}

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

// The streams of one round, as their callbacks report them (from an I/O
// thread or the driver actor), and the waits of the main thread.
class tracker {
public:
  explicit tracker(size_t n) : streams_(n) {}

  size_t size() const { return streams_.size(); }

  void chunk(size_t i, const std::string& text) {
    std::lock_guard guard{mutex_};
    auto& s = streams_[i];
    s.text += text;
    if (s.chunks++ == 0 && !s.ended)
      settle();
  }

  void done(size_t i, bool ok, const std::string& content, int attempts) {
    std::lock_guard guard{mutex_};
    auto& s = streams_[i];
    if (s.ended)
      return;
    s.ended = true;
    if (s.chunks == 0)
      settle();
    bool right = ok && content == expected_text && s.text == expected_text
                 && s.chunks == expected_chunks && attempts == 1;
    if (right)
      ++completed_;
    else if (problem_.empty())
      problem_ = "stream " + std::to_string(i) + (ok ? " ended with a wrong answer" : " failed")
                 + " (" + std::to_string(s.chunks) + " chunks, " + std::to_string(attempts)
                 + " attempts)";
    if (++ended_ == streams_.size())
      changed_.notify_all();
  }

  // Until every stream has its first chunk or has ended.
  bool wait_settled() {
    std::unique_lock guard{mutex_};
    return changed_.wait_for(guard, settle_limit, [this] { return settled_ == streams_.size(); });
  }

  bool wait_ended() {
    std::unique_lock guard{mutex_};
    return changed_.wait_for(guard, settle_limit, [this] { return ended_ == streams_.size(); });
  }

  int64_t first_chunks() const {
    std::lock_guard guard{mutex_};
    int64_t n = 0;
    for (const auto& s : streams_)
      n += s.chunks > 0 ? 1 : 0;
    return n;
  }

  int64_t completed() const {
    std::lock_guard guard{mutex_};
    return completed_;
  }

  std::string problem() const {
    std::lock_guard guard{mutex_};
    return problem_;
  }

private:
  struct stream {
    int chunks = 0;
    bool ended = false;
    std::string text;
  };

  void settle() {
    if (++settled_ == streams_.size())
      changed_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<stream> streams_;
  size_t settled_ = 0;
  size_t ended_ = 0;
  int64_t completed_ = 0;
  std::string problem_;
};

/// Starts all streams of a round; the tracker hears back. Shared, so a
/// callback that comes after a timed-out round still finds it.
using launch_fn = std::function<void(std::shared_ptr<tracker>)>;

std::shared_ptr<config::settings> settings_for(uint16_t port) {
  auto yaml =
      "providers:\n  held: {type: openai, base_url: \"http://127.0.0.1:" + std::to_string(port)
      + "/v1\", headers: {x-fake-hold: \"1\", x-fake-tokens: \"4\"}}\n"
        "models:\n  held: {provider: held, model: fake-small}\n"
        "roles:\n  held: {model: held}\n";
  std::string problem;
  return bench::load_settings(yaml, "scale.yaml", problem);
}

http::client_options client_options_for(const config::provider& p) {
  http::client_options o; // as the provider factory makes them
  o.max_idle_per_origin = static_cast<size_t>(p.max_connections);
  return o;
}

// POST /fake/release; the number of streams the upstream let go, -1 on failure.
int64_t release(http::client& client, uint16_t port) {
  http::request req;
  req.method = "POST";
  req.base = *parse_url("http://127.0.0.1:" + std::to_string(port));
  req.target = "/fake/release";
  auto body = std::make_shared<std::string>();
  std::promise<bool> done;
  http::handlers h;
  h.on_body = [body](std::string_view bytes) { body->append(bytes); };
  h.on_done = [&done](result<void> r) { done.set_value(r.has_value()); };
  client.send(std::move(req), std::move(h));
  if (!done.get_future().get())
    return -1;
  auto at = body->find("\"released\":");
  return at == std::string::npos ? -1 : std::atoll(body->c_str() + at + 11);
}

// One round of n streams. Memory and CPU are read just before the first send,
// when every stream has its first chunk, and after the last completion.
side_result run_round(int64_t n, const launch_fn& launch, http::client& client, uint16_t port) {
  side_result r;
  r.streams = n;
  auto t = std::make_shared<tracker>(static_cast<size_t>(n));
  r.baseline_kib = rss_kib();
  auto cpu0 = cpu_ms();
  auto t0 = clock_type::now();
  launch(t);
  bool settled = t->wait_settled();
  r.inflight_ms = ms_since(t0);
  r.peak_kib = rss_kib();
  r.cpu_inflight_ms = cpu_ms() - cpu0;
  r.first_chunks = t->first_chunks();
  r.released = release(client, port);
  bool ended = t->wait_ended();
  r.total_ms = ms_since(t0);
  r.cpu_total_ms = cpu_ms() - cpu0;
  r.hwm_kib = peak_rss_kib();
  r.completed = t->completed();
  if (!settled || !ended)
    r.error = "timed out: " + std::to_string(r.first_chunks) + " first chunks, "
              + std::to_string(r.completed) + " completed of " + std::to_string(n);
  else if (r.first_chunks != n || r.released != n)
    r.error = std::to_string(r.first_chunks) + " first chunks and " + std::to_string(r.released)
              + " held upstream of " + std::to_string(n) + ": not all in flight at once"
              + (t->problem().empty() ? "" : "; " + t->problem());
  else if (r.completed != n)
    r.error = t->problem();
  return r;
}

// A warm-up round of the same kind, then the measured one.
side_result warm_then_measure(int64_t n, const launch_fn& launch, http::client& client,
                              uint16_t port) {
  auto warm = run_round(warmup_streams, launch, client, port);
  if (!warm.error.empty()) {
    warm.error = "warm-up: " + warm.error;
    return warm;
  }
  return run_round(n, launch, client, port);
}

void run_direct(int64_t n, uint16_t port, const config::settings& s) {
  const auto& p = s.providers.at("held");
  http::runtime rt{1};
  http::client client{rt, client_options_for(p)};
  auto made = provider::http_provider::make(client, p);
  if (!made)
    return publish(side_result{.streams = n, .error = "cannot make the provider"});
  auto& provider = **made;
  chat_request req;
  req.model = "fake-small";
  req.messages.push_back(message{role::user, "hi", {}, {}, {}});
  auto launch = [&](const std::shared_ptr<tracker>& t) {
    for (size_t i = 0; i < t->size(); ++i)
      provider.stream(
          req, [t, i](chunk c) { t->chunk(i, c.text); },
          [t, i](result<chat_response> r) { t->done(i, r.has_value(), r ? r->content : "", 1); });
  };
  publish(warm_then_measure(n, launch, client, port));
}

// Sends n streams at once to the router and reports them to the tracker;
// quits after the last reply.
caf::behavior driver(caf::event_based_actor* self, router_actor router, int64_t n,
                     std::shared_ptr<tracker> t) {
  auto left = std::make_shared<int64_t>(n);
  auto finished = [self, left] {
    if (--*left == 0)
      self->quit();
  };
  for (int64_t i = 0; i < n; ++i) {
    role_request req;
    req.id = static_cast<uint64_t>(i) + 1;
    req.role = "held";
    req.request.messages.push_back(message{role::user, "hi", {}, {}, {}});
    auto at = static_cast<size_t>(i);
    self->request(router, caf::infinite, stream_atom::value, std::move(req))
        .then(
            [=](routed_response& r) {
              t->done(at, true, r.response.content, r.attempts);
              finished();
            },
            [=](caf::error&) {
              t->done(at, false, "", 0);
              finished();
            });
  }
  return {[t](chunk_atom, const stream_chunk& c) {
    t->chunk(static_cast<size_t>(c.id - 1), c.delta.text);
  }};
}

struct system_config : caf::actor_system_config {
  system_config() { et::actors::prepare_system(*this); }
};

void run_router(int64_t n, uint16_t port, std::shared_ptr<config::settings> s) {
  http::runtime rt{1}; // declared first: outlives the actors that use it
  auto client = std::make_shared<http::client>(rt, client_options_for(s->providers.at("held")));
  system_config cfg;
  caf::actor_system sys{cfg};
  auto router = spawn_router(
      sys, s, [client](caf::local_actor* parent, const config::provider& p) -> provider_actor {
        return spawn_http_provider(parent, client, p);
      });
  auto launch = [&](std::shared_ptr<tracker> t) {
    sys.spawn(driver, router, static_cast<int64_t>(t->size()), std::move(t));
  };
  publish(warm_then_measure(n, launch, *client, port));
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
}

} // namespace

std::string to_string(path p) {
  return p == path::direct ? "direct" : "router";
}

std::optional<path> path_from_string(const std::string& name) {
  if (name == "direct")
    return path::direct;
  if (name == "router")
    return path::router;
  return std::nullopt;
}

std::string side_result::to_line() const {
  std::ostringstream out;
  out << "scale-side streams=" << streams << " first_chunks=" << first_chunks
      << " released=" << released << " completed=" << completed << " baseline_kib=" << baseline_kib
      << " peak_kib=" << peak_kib << " hwm_kib=" << hwm_kib
      << " cpu_inflight_ms=" << cpu_inflight_ms << " cpu_total_ms=" << cpu_total_ms
      << " inflight_ms=" << inflight_ms << " total_ms=" << total_ms << " error=" << error;
  return out.str();
}

std::optional<side_result> side_result::from_line(const std::string& text) {
  auto start = text.find("scale-side ");
  if (start == std::string::npos)
    return std::nullopt;
  auto line = text.substr(start, text.find('\n', start) - start);
  side_result r;
  if (auto e = line.find(" error="); e != std::string::npos) {
    r.error = line.substr(e + 7);
    line.resize(e);
  }
  std::istringstream in{line.substr(11)};
  std::string field;
  while (in >> field) {
    auto eq = field.find('=');
    auto key = field.substr(0, eq);
    auto value = std::atof(field.c_str() + eq + 1);
    for (auto [name, slot] : {std::pair{"streams", &r.streams},
                              {"first_chunks", &r.first_chunks},
                              {"released", &r.released},
                              {"completed", &r.completed},
                              {"baseline_kib", &r.baseline_kib},
                              {"peak_kib", &r.peak_kib},
                              {"hwm_kib", &r.hwm_kib}})
      if (key == name)
        *slot = static_cast<int64_t>(value);
    for (auto [name, slot] : {std::pair{"cpu_inflight_ms", &r.cpu_inflight_ms},
                              {"cpu_total_ms", &r.cpu_total_ms},
                              {"inflight_ms", &r.inflight_ms},
                              {"total_ms", &r.total_ms}})
      if (key == name)
        *slot = value;
  }
  return r;
}

void run_side(path p, int64_t streams, uint16_t port) {
  auto s = settings_for(port);
  if (!s)
    return publish(side_result{.streams = streams, .error = "bad benchmark configuration"});
  if (p == path::direct)
    return run_direct(streams, port, *s);
  run_router(streams, port, s);
}

} // namespace et::bench::scale
