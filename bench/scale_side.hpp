#pragma once
/// One measured side of the scale benchmark, run in a child process of its
/// own: N streaming OpenAI requests all held open by the fake upstream after
/// their first chunk, sent either directly with provider::http_provider (the
/// reference) or through the actor path (driver actor -> router -> HTTP
/// provider actor). The child samples its own RSS and CPU and prints one
/// result line for the parent.

#include <cstdint>
#include <optional>
#include <string>

namespace et::bench::scale {

/// The two ways the streams are sent.
enum class path : uint8_t {
  direct, ///< provider::http_provider on libet's HTTP client, no actors
  router, ///< driver actor -> router -> HTTP provider actor -> the same client
};

/// "direct" or "router".
std::string to_string(path p);
/// Parses a name produced by to_string(path).
std::optional<path> path_from_string(const std::string& name);

/// What one child measured for one level.
struct side_result {
  int64_t streams = 0;        ///< N, the streams sent at once
  int64_t first_chunks = 0;   ///< streams whose first chunk arrived (N when all were in flight)
  int64_t released = 0;       ///< streams the upstream held when the child released them
  int64_t completed = 0;      ///< streams that ended with the whole expected answer
  int64_t baseline_kib = 0;   ///< RSS after the warm-up, just before the level
  int64_t peak_kib = 0;       ///< RSS when every stream had its first chunk
  int64_t hwm_kib = 0;        ///< VmHWM at the end of the level
  double cpu_inflight_ms = 0; ///< process CPU from the first send to the last first chunk
  double cpu_total_ms = 0;    ///< process CPU from the first send to the last completion
  double inflight_ms = 0;     ///< wall time from the first send to the last first chunk
  double total_ms = 0;        ///< wall time from the first send to the last completion
  std::string error;          ///< "" when every stream was in flight at once and completed

  /// One line of key=value fields, the error last.
  std::string to_line() const;
  /// Parses to_line()'s output; nullopt when `text` holds no such line.
  static std::optional<side_result> from_line(const std::string& text);
};

/// Runs one side with `streams` streams against the fake upstream on
/// 127.0.0.1:`port`, after an unmeasured warm-up round of the same kind, and
/// prints the result line on stdout. After a failure it leaves the process at
/// once with status 1: streams or actors may still be stuck, and tearing down
/// would wait for them.
void run_side(path p, int64_t streams, uint16_t port);

} // namespace et::bench::scale
