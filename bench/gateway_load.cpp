#include "gateway_load.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

extern char** environ;

namespace et::bench::gateway {

namespace {

using clock_type = std::chrono::steady_clock;

// A whole answer: the fake upstream echoes the prompt; a stream ends with [DONE].
bool whole(const std::string& body, bool stream) {
  if (stream)
    return body.size() >= 14 && body.compare(body.size() - 14, 14, "data: [DONE]\n\n") == 0;
  return body.find("hello bench") != std::string::npos;
}

struct loop_state {
  std::mutex mutex;
  std::condition_variable idle;
  int running = 0;
  load_result out;
  clock_type::time_point measure_from, end;
};

// One worker: a request, and when it ends the next, until the window closes.
void next(const std::shared_ptr<loop_state>& st, http::client& client, const load_spec& spec) {
  auto t0 = clock_type::now();
  auto body = std::make_shared<std::string>();
  auto status = std::make_shared<int>(0);
  http::handlers h;
  h.on_head = [status](const http::response_head& head) { *status = head.status; };
  h.on_body = [body](std::string_view piece) { body->append(piece); };
  h.on_done = [st, &client, &spec, t0, body, status](result<void> r) {
    auto now = clock_type::now();
    bool good = r && *status == 200 && whole(*body, spec.stream);
    {
      std::lock_guard<std::mutex> lock{st->mutex};
      if (t0 >= st->measure_from && now <= st->end) {
        if (good) {
          ++st->out.ok;
          st->out.latencies_us.push_back(
              std::chrono::duration<double, std::micro>(now - t0).count());
        } else {
          ++st->out.errors;
          if (st->out.first_error.empty())
            st->out.first_error =
                r ? "HTTP " + std::to_string(*status) + ": " + body->substr(0, 200)
                  : r.error().message;
        }
      }
      if (now >= st->end) {
        if (--st->running == 0)
          st->idle.notify_all();
        return;
      }
    }
    if (spec.gap.count() > 0) // not on the I/O thread: the other loops' answers arrive there
      return std::thread{[st, &client, &spec] {
               std::this_thread::sleep_for(spec.gap);
               next(st, client, spec);
             }}
          .detach();
    next(st, client, spec);
  };
  client.send(make_post(spec.base, "/v1/chat/completions", spec.body, spec.headers), std::move(h));
}

} // namespace

http::request make_post(const std::string& base, const std::string& target, const std::string& body,
                        const http::header_list& headers) {
  http::request r;
  r.method = "POST";
  r.base = parse_url(base).value();
  r.target = target;
  r.body = body;
  r.headers = {{"Content-Type", "application/json"}};
  r.headers.insert(r.headers.end(), headers.begin(), headers.end());
  r.timeouts.connect = std::chrono::milliseconds{60'000};
  r.timeouts.first_byte = std::chrono::milliseconds{300'000};
  r.timeouts.idle = std::chrono::milliseconds{300'000};
  r.timeouts.total = std::chrono::milliseconds{600'000};
  return r;
}

load_result run_load(http::client& client, const load_spec& spec) {
  auto st = std::make_shared<loop_state>();
  auto start = clock_type::now();
  st->measure_from = start
                     + std::chrono::duration_cast<clock_type::duration>(
                         std::chrono::duration<double>(spec.warmup));
  st->end = st->measure_from
            + std::chrono::duration_cast<clock_type::duration>(
                std::chrono::duration<double>(spec.seconds));
  st->running = spec.concurrency;
  for (int i = 0; i < spec.concurrency; ++i)
    next(st, client, spec);
  std::unique_lock<std::mutex> lock{st->mutex};
  st->idle.wait(lock, [&] { return st->running == 0; });
  st->out.seconds = spec.seconds;
  return st->out;
}

hold_result hold_streams(http::client& client, const std::string& base, const std::string& body,
                         int64_t n, const std::function<void()>& measure,
                         const std::function<void()>& release) {
  struct shared {
    std::mutex mutex;
    std::condition_variable changed;
    int64_t first = 0, ended = 0, completed = 0;
    std::string first_error;
  };
  auto st = std::make_shared<shared>();
  auto t0 = clock_type::now();
  for (int64_t i = 0; i < n; ++i) {
    auto text = std::make_shared<std::string>();
    auto status = std::make_shared<int>(0);
    http::handlers h;
    h.on_head = [status](const http::response_head& head) { *status = head.status; };
    h.on_body = [st, text](std::string_view piece) {
      bool first = text->empty() && !piece.empty();
      text->append(piece);
      if (first) { // the gateway's head goes out with the first text only
        std::lock_guard<std::mutex> lock{st->mutex};
        ++st->first;
        st->changed.notify_all();
      }
    };
    h.on_done = [st, text, status](result<void> r) {
      std::lock_guard<std::mutex> lock{st->mutex};
      ++st->ended;
      if (r && *status == 200 && whole(*text, true))
        ++st->completed;
      else if (st->first_error.empty())
        st->first_error =
            r ? "HTTP " + std::to_string(*status) + ": " + text->substr(0, 200) : r.error().message;
      st->changed.notify_all();
    };
    client.send(make_post(base, "/v1/chat/completions", body), std::move(h));
  }
  hold_result out;
  {
    std::unique_lock<std::mutex> lock{st->mutex};
    st->changed.wait_for(lock, std::chrono::minutes{5}, [&] { return st->first + st->ended >= n; });
    out.opened = st->first;
    out.open_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  }
  measure();
  release();
  std::unique_lock<std::mutex> lock{st->mutex};
  st->changed.wait_for(lock, std::chrono::minutes{5}, [&] { return st->ended >= n; });
  out.completed = st->completed;
  out.first_error = st->first_error;
  return out;
}

int64_t rss_kib_of(pid_t pid, bool peak) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  const std::string key = peak ? "VmHWM:" : "VmRSS:";
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0)
      return std::atoll(line.c_str() + key.size());
  return -1;
}

gateway_process start_gateway(const std::string& et, const std::string& config,
                              const std::string& log, const std::vector<std::string>& extra) {
  gateway_process g;
  g.log = log;
  std::vector<std::string> args{et, "serve", "--http", "127.0.0.1:0", "--config", config};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (posix_spawn(&g.pid, et.c_str(), &actions, nullptr, argv.data(), environ) != 0)
    g.pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  if (g.pid < 0) {
    g.error = "cannot start " + et;
    return g;
  }
  const std::string mark = "gateway listening on http://127.0.0.1:";
  for (int i = 0; i < 300; ++i) { // up to 30 s: the first start creates the state dir
    std::ifstream in{log};
    std::string text{std::istreambuf_iterator<char>{in}, {}};
    if (auto at = text.find(mark); at != std::string::npos) {
      g.port = static_cast<uint16_t>(std::atoi(text.c_str() + at + mark.size()));
      return g;
    }
    if (waitpid(g.pid, nullptr, WNOHANG) == g.pid) {
      g.pid = -1;
      g.error = "et serve exited: " + text;
      return g;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  g.error = "et serve did not say it listens (see " + log + ")";
  stop_gateway(g);
  return g;
}

void stop_gateway(gateway_process& g) {
  if (g.pid <= 0)
    return;
  kill(g.pid, SIGTERM);
  waitpid(g.pid, nullptr, 0);
  g.pid = -1;
}

std::string post(http::client& client, const std::string& base, const std::string& target,
                 const std::string& body) {
  auto text = std::make_shared<std::string>();
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  http::handlers h;
  h.on_body = [text](std::string_view piece) { text->append(piece); };
  h.on_done = [done](result<void>) { done->set_value(); };
  client.send(make_post(base, target, body), std::move(h));
  finished.wait();
  return *text;
}

} // namespace et::bench::gateway
