#include "request_stream.hpp"

#include <functional>
#include <future>
#include <memory>
#include <vector>

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "fake_upstream/request.hpp"
#include "support.hpp"

namespace request_bench {

using namespace et;
using namespace et::actors;

namespace {

/// The timings of one streamed answer.
struct stream_sample {
  clock_type::time_point start;
  clock_type::time_point first;
  clock_type::time_point last;
  int pieces = 0;
  std::string text; ///< the answer as received
  bool ok = false;

  // Events that arrive together come as one piece (et::coalesce), so a
  // stream is checked by its text, not by its pieces.
  void on_piece(const std::string& delta) {
    last = clock_type::now();
    if (pieces++ == 0)
      first = last;
    text += delta;
  }
};

// What the fake upstream answers in "tokens" mode, from its own plan of the answer.
std::string expected_answer(int tokens) {
  fake::reply_settings s;
  s.mode = fake::reply_mode::tokens;
  s.tokens = tokens;
  return fake::make_plan(fake::chat_input{}, s, "", 0).text;
}

stream_result summarize(std::string path, const std::vector<stream_sample>& samples, int tokens) {
  stream_result r;
  r.path = std::move(path);
  std::vector<double> ttft, total, gap;
  double pieces = 0;
  auto expected = expected_answer(tokens);
  for (const auto& s : samples) {
    if (!s.ok || s.text != expected) {
      ++r.errors;
      continue;
    }
    ttft.push_back(micros(s.first - s.start));
    total.push_back(micros(s.last - s.start));
    if (s.pieces > 1)
      gap.push_back(micros(s.last - s.first) / (s.pieces - 1));
    pieces += s.pieces;
  }
  r.streams = ttft.size();
  r.ttft_p50_us = bench::percentile(ttft, 0.5);
  r.ttft_p99_us = bench::percentile(ttft, 0.99);
  r.total_p50_us = bench::percentile(total, 0.5);
  r.gap_p50_us = bench::percentile(gap, 0.5);
  r.pieces = r.streams ? pieces / static_cast<double>(r.streams) : 0;
  return r;
}

} // namespace

stream_result stream_direct(provider::http_provider& p, const chat_request& req, int tokens) {
  std::vector<stream_sample> samples;
  auto stop = clock_type::now() + warmup + window;
  auto measure_from = clock_type::now() + warmup;
  while (clock_type::now() < stop) {
    auto s = std::make_shared<stream_sample>();
    std::promise<void> done;
    s->start = clock_type::now();
    p.stream(
        req, [s](const chunk& piece) { s->on_piece(piece.text); },
        [s, &done](result<chat_response> r) {
          s->ok = r.has_value();
          done.set_value();
        });
    done.get_future().wait();
    if (s->start >= measure_from)
      samples.push_back(*s);
  }
  return summarize("direct", samples, tokens);
}

namespace {

// Routed streams, one at a time, timed in a driver actor: pieces arrive as
// (chunk_atom, stream_chunk), then the router's reply ends the stream.
caf::behavior stream_driver(caf::event_based_actor* self, router_actor router, role_request req,
                            std::vector<stream_sample>* samples, std::promise<void>* finished) {
  auto current = std::make_shared<stream_sample>();
  auto stop = clock_type::now() + warmup + window;
  auto measure_from = clock_type::now() + warmup;
  auto next = std::make_shared<std::function<void()>>();
  *next = [=] {
    auto end_one = [=](bool ok) {
      current->ok = ok;
      if (current->start >= measure_from)
        samples->push_back(*current);
      if (clock_type::now() < stop) {
        (*next)();
        return;
      }
      finished->set_value();
      *next = nullptr; // breaks the cycle next -> lambda -> next
      self->quit();
    };
    *current = stream_sample{};
    current->start = clock_type::now();
    self->request(router, caf::infinite, stream_atom::value, req)
        .then([end_one](routed_response&) { end_one(true); },
              [end_one](caf::error&) { end_one(false); });
  };
  (*next)();
  return {[=](chunk_atom, const stream_chunk& piece) { current->on_piece(piece.delta.text); }};
}

} // namespace

stream_result stream_routed(caf::actor_system& sys, router_actor router, const role_request& req,
                            int tokens) {
  std::vector<stream_sample> samples;
  std::promise<void> finished;
  sys.spawn(stream_driver, router, req, &samples, &finished);
  finished.get_future().wait();
  return summarize("router", samples, tokens);
}

} // namespace request_bench
