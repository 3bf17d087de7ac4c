#pragma once
// The request bench's report (request.cpp measures): its tables and its JSON rows.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "et/actors/system_setup.hpp"
#include "request_stream.hpp"
#include "support.hpp"

namespace request_bench {

/// One row of the non-streamed table.
struct loop_result {
  std::string path;    ///< "direct" or "router"
  int concurrency = 0; ///< requests kept in flight
  double rps = 0;      ///< completions a second in the window
  double p50_us = 0;   ///< median latency
  double p99_us = 0;   ///< 99th percentile latency
  int64_t errors = 0;  ///< failed requests
};

/// How the run was set up, for the tables' header and every JSON row.
struct run_setup {
  et::actors::scheduling how; ///< the CAF scheduler
  std::size_t workers = 0;    ///< its workers
  bool io_on_workers = false; ///< whether they ran the HTTP I/O too (--io workers)
  int stream_tokens = 0;      ///< tokens in each streamed answer
};

/// Prints both tables (non-streamed loops, then streams) on stdout.
void print_tables(const std::vector<loop_result>& loops, const std::vector<stream_result>& streams,
                  const run_setup& run);

/// One JSON row a loop and a stream, for --json.
std::vector<et::bench::json_row> to_rows(const std::vector<loop_result>& loops,
                                         const std::vector<stream_result>& streams,
                                         const run_setup& run);

} // namespace request_bench
