#include "request_report.hpp"

#include <chrono>
#include <cstdio>

#include "et/util/allocator.hpp"

namespace request_bench {

using et::actors::name_of;

void print_tables(const std::vector<loop_result>& loops, const std::vector<stream_result>& streams,
                  const run_setup& run) {
  auto how = run.how;
  auto workers = run.workers;
  auto stream_tokens = run.stream_tokens;
  std::printf(
      "non-streamed request, closed loop, %.1f s per row after %.1f s warm-up; CAF "
      "scheduler: %s, %zu worker%s; HTTP I/O on %s; %s\n",
      std::chrono::duration<double>(window).count(), std::chrono::duration<double>(warmup).count(),
      std::string{name_of(how)}.c_str(), workers, workers == 1 ? "" : "s",
      run.io_on_workers ? "the workers" : "1 thread of its own", et::allocator_in_use().c_str());
  std::printf("%-8s %6s %10s %10s %10s %8s\n", "path", "conc", "req/s", "p50 us", "p99 us",
              "errors");
  for (const auto& r : loops)
    std::printf("%-8s %6d %10.0f %10.0f %10.0f %8lld\n", r.path.c_str(), r.concurrency, r.rps,
                r.p50_us, r.p99_us, static_cast<long long>(r.errors));
  std::printf("\n%6s %22s %16s %16s\n", "conc", "rps router/direct", "added p50 us",
              "added p99 us");
  for (size_t i = 0; i + 1 < loops.size() && loops[i].path != loops[i + 1].path; i += 2)
    std::printf("%6d %22.2f %16.0f %16.0f\n", loops[i].concurrency,
                loops[i].rps > 0 ? loops[i + 1].rps / loops[i].rps : 0,
                loops[i + 1].p50_us - loops[i].p50_us, loops[i + 1].p99_us - loops[i].p99_us);
  std::printf("\nstreamed, %d tokens one per event, unpaced and paced, one stream at a time\n",
              stream_tokens);
  std::printf("%-8s %8s %8s %7s %10s %10s %8s %10s %7s\n", "path", "tokens/s", "streams", "pieces",
              "ttft p50", "ttft p99", "gap p50", "total p50", "errors");
  for (const auto& s : streams)
    std::printf("%-8s %8s %8zu %7.1f %10.0f %10.0f %8.1f %10.0f %7lld\n", s.path.c_str(),
                s.pace == 0 ? "unpaced" : std::to_string(s.pace).c_str(), s.streams, s.pieces,
                s.ttft_p50_us, s.ttft_p99_us, s.gap_p50_us, s.total_p50_us,
                static_cast<long long>(s.errors));
  std::printf("(latencies in microseconds; events that arrive together are one piece; gap = "
              "(last - first piece) / (pieces - 1); a stream whose text is not its %d tokens in "
              "order is an error)\n",
              stream_tokens);
}

std::vector<et::bench::json_row> to_rows(const std::vector<loop_result>& loops,
                                         const std::vector<stream_result>& streams,
                                         const run_setup& run) {
  // What every row says of its run: which bench, scheduler, I/O plan, path and concurrency.
  auto head = [&](const char* bench, const std::string& path, int64_t concurrency) {
    return et::bench::json_row{}
        .add("bench", bench)
        .add("scheduler", name_of(run.how))
        .add("io", run.io_on_workers ? "workers" : "threads")
        .add("path", path)
        .add("concurrency", concurrency);
  };
  std::vector<et::bench::json_row> rows;
  for (const auto& r : loops)
    rows.push_back(head("request", r.path, static_cast<int64_t>(r.concurrency))
                       .add("rps", r.rps)
                       .add("p50_us", r.p50_us)
                       .add("p99_us", r.p99_us)
                       .add("errors", r.errors));
  for (const auto& s : streams)
    rows.push_back(head("stream", s.path, 1)
                       .add("tokens", int64_t{run.stream_tokens})
                       .add("ttft_p50_us", s.ttft_p50_us)
                       .add("ttft_p99_us", s.ttft_p99_us)
                       .add("pieces", s.pieces)
                       .add("tokens_per_second", int64_t{s.pace})
                       .add("gap_p50_us", s.gap_p50_us)
                       .add("total_p50_us", s.total_p50_us)
                       .add("errors", s.errors));
  return rows;
}

} // namespace request_bench
