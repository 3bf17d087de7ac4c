#pragma once
/// What `et run` shows while it works. On a terminal: a block redrawn in place
/// (phase, one line per subtask with member, state, tokens, tokens/s, elapsed,
/// cost) with event lines scrolling above it. Elsewhere (a pipe, a file, CI):
/// one plain line per event and no escape codes. No CAF here.

#include <chrono>
#include <map>
#include <ostream>
#include <string>

#include "et/store/journal.hpp"
#include "et/util/text.hpp"

namespace et::app {

/// Live figures of a subtask in flight (not journaled).
struct live_figures {
  std::chrono::steady_clock::time_point started; ///< first assignment
  int64_t streamed_bytes = 0;                    ///< answer bytes so far, this attempt
};

/// Renders a run's progress to one stream.
class run_view {
public:
  /// `live`: redraw in place (the stream is a terminal); text shown live is sanitised here.
  run_view(std::ostream& out, bool live);

  /// True when `fd` is a terminal that understands cursor movement and CI is not set.
  static bool live_for(int fd);

  /// An event line (plain: printed as is; live: printed above the block).
  void event(const std::string& line);
  /// The run changed: redraw the block (live only; at most ~10 times a second unless forced).
  void update(const store::run_record& run, const std::string& phase,
              const std::map<int, live_figures>& live, bool force = false);
  /// True when redrawing in place.
  bool live() const { return live_; }
  /// Leaves the block as it is on screen, below it the next output.
  void close();

private:
  void redraw(const store::run_record& run, const std::string& phase,
              const std::map<int, live_figures>& live);
  void erase_block();

  std::ostream& out_;
  bool live_;
  int drawn_lines_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::string last_phase_;
  const store::run_record* last_run_ = nullptr;
  const std::map<int, live_figures>* last_live_ = nullptr;
};

/// "1.2s", "2m03s" (libet's, where the run actor finds it too).
using et::format_elapsed;

/// The event line for a fallback: "[2/3] claude-sonnet: 401 authentication failed; answered
/// by gpt4o" (`who` is the subtask's label or the role in brackets).
std::string fallback_event(const store::fallback_record& f, const std::string& who);

/// The summary printed at the end: phases with durations, fallbacks by reason, then `cost_table`
/// (cost by role, provider and model), then the totals line.
std::string summary_text(const store::run_record& run, const std::string& cost_table);

} // namespace et::app
