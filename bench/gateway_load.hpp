#pragma once
/// The client side of et-bench-gateway: closed-loop load over libet's HTTP
/// client (C requests kept in flight, keep-alive), and N streams held open at
/// once; the child processes it measures (et serve) and /proc readings.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "et/http/client.hpp"

namespace et::bench::gateway {

/// One closed-loop run against one origin.
struct load_spec {
  std::string base;          ///< "http://127.0.0.1:PORT"
  std::string body;          ///< the OpenAI chat request
  bool stream = false;       ///< whether `body` asks for a stream
  int concurrency = 1;       ///< requests kept in flight
  double seconds = 3;        ///< measured window (after `warmup`)
  double warmup = 0.5;       ///< seconds run first and not counted
  http::header_list headers; ///< sent besides Content-Type
  /// Pause after each answer before the next request (0: none, a tight loop).
  std::chrono::milliseconds gap{0};
};

/// What a run measured.
struct load_result {
  int64_t ok = 0;                   ///< 200 with the whole expected answer
  int64_t errors = 0;               ///< anything else
  double seconds = 0;               ///< the measured window, actual
  std::vector<double> latencies_us; ///< of the ok ones, send to last byte
  std::string first_error;          ///< for the report
};

/// Runs `spec` with `client` (which must keep `concurrency` idle connections).
load_result run_load(http::client& client, const load_spec& spec);

/// N streams held open at once through an origin.
struct hold_result {
  int64_t opened = 0;      ///< streams that had their first content
  int64_t completed = 0;   ///< streams that then ended whole
  double open_ms = 0;      ///< until all had their first content
  std::string first_error; ///< for the report
};

/// Opens `n` streams with `body` to `base` and waits until each has its first
/// piece (the upstream holds them there), calls `measure` while all are open,
/// then `release`s them and waits until every one ends.
hold_result hold_streams(http::client& client, const std::string& base, const std::string& body,
                         int64_t n, const std::function<void()>& measure,
                         const std::function<void()>& release);

/// Resident set of `pid` (VmRSS, or VmHWM with `peak`), KiB; -1 if unknown.
int64_t rss_kib_of(pid_t pid, bool peak = false);

/// A running `et serve --http`.
struct gateway_process {
  pid_t pid = -1;    ///< -1 when it did not start
  uint16_t port = 0; ///< its gateway port
  std::string error; ///< why it did not start
  std::string log;   ///< its stderr file
};

/// Starts `et` (path) `serve --http 127.0.0.1:0 --config CONFIG EXTRA...` with
/// stderr in `log` and waits for its listening line.
gateway_process start_gateway(const std::string& et, const std::string& config,
                              const std::string& log, const std::vector<std::string>& extra);

/// SIGTERM, then reaps it.
void stop_gateway(gateway_process& g);

/// A blocking POST of `body` to base+target; the response body ("" on failure).
std::string post(http::client& client, const std::string& base, const std::string& target,
                 const std::string& body);

/// The request the bench sends: POST `target` of `base` with `body`, `headers` and long
/// timeouts.
http::request make_post(const std::string& base, const std::string& target, const std::string& body,
                        const http::header_list& headers = {});

} // namespace et::bench::gateway
