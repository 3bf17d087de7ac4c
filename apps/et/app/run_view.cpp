#include "et/app/run_view.hpp"

#include <algorithm>

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "et/cost/summary.hpp"
#include "et/util/terminal.hpp"

namespace et::app {

namespace {

using clock_type = std::chrono::steady_clock;

int terminal_width() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
    return ws.ws_col;
  return 100;
}

// Cuts `line` to `width` columns (counting UTF-8 code points, good enough for
// the ASCII-heavy lines drawn here).
std::string fit(const std::string& line, int width) {
  std::string out;
  int cols = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) != 0x80 && ++cols > width)
      break;
    out += line[i];
  }
  return out;
}

// One line of the block as shown: neutralised, on one row (a line break or tab in a member's
// or a run folder's name would add rows the erase does not count), cut to the width.
std::string row(const std::string& line, int width) {
  auto safe = sanitize_for_terminal(line);
  std::replace_if(
      safe.begin(), safe.end(), [](char c) { return c == '\n' || c == '\t'; }, ' ');
  return fit(safe, width);
}

std::string first_line(const std::string& text) {
  auto nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(0, nl);
}

const char* mark_of(store::subtask_state state) {
  switch (state) {
    case store::subtask_state::done:
      return "ok  ";
    case store::subtask_state::failed:
      return "FAIL";
    case store::subtask_state::running:
      return "... ";
    case store::subtask_state::pending:
      break;
  }
  return "    ";
}

// One subtask's line: number, mark, member, tokens, tokens/s, elapsed, cost, text.
std::string subtask_line(const store::subtask_record& s, const live_figures* live) {
  char buf[160];
  auto tokens = s.tokens.completion_tokens;
  double secs = static_cast<double>(s.elapsed_ms) / 1000.0;
  bool estimated = false;
  if (s.state == store::subtask_state::running && live) {
    // Usage arrives with the answer; until then bytes/4 estimates the tokens.
    tokens = live->streamed_bytes / 4;
    estimated = true;
    secs = std::chrono::duration<double>(clock_type::now() - live->started).count();
  }
  double rate = secs > 0.05 ? static_cast<double>(tokens) / secs : 0;
  std::snprintf(
      buf, sizeof buf, "%3d %s %-14.14s %s%6lld tok %6.0f tok/s %7s %9s  ", s.number,
      mark_of(s.state), s.member.empty() ? "-" : s.member.c_str(), estimated ? "~" : " ",
      static_cast<long long>(tokens), rate,
      format_elapsed(std::chrono::milliseconds{static_cast<int64_t>(secs * 1000)}).c_str(),
      s.usd > 0 ? cost::format_usd(s.usd).c_str() : "-");
  return buf + first_line(s.text);
}

} // namespace

// Live, the view writes its own cursor movements, so it writes past the sanitising stream
// (et/util/terminal.hpp) and sanitises the text it shows (model-written subtasks, errors).
run_view::run_view(std::ostream& out, bool live)
    : out_(live ? unsanitized(out) : out), live_(live) {}

bool run_view::live_for(int fd) {
  if (!isatty(fd))
    return false;
  const char* term = std::getenv("TERM");
  const char* ci = std::getenv("CI");
  return term && std::strcmp(term, "dumb") != 0 && !(ci && *ci);
}

void run_view::event(const std::string& line) {
  if (!live_) {
    out_ << line << "\n" << std::flush;
    return;
  }
  erase_block();
  out_ << sanitize_for_terminal(line) << "\n";
  if (last_run_ && last_live_)
    redraw(*last_run_, last_phase_, *last_live_);
  out_ << std::flush;
}

void run_view::update(const store::run_record& run, const std::string& phase,
                      const std::map<int, live_figures>& live, bool force) {
  last_run_ = &run;
  last_live_ = &live;
  last_phase_ = phase;
  if (!live_)
    return;
  auto now = clock_type::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds{100})
    return;
  erase_block();
  redraw(run, phase, live);
  out_ << std::flush;
}

void run_view::close() {
  if (live_ && last_run_ && last_live_) {
    erase_block();
    redraw(*last_run_, last_phase_, *last_live_);
    out_ << std::flush;
  }
  drawn_lines_ = 0;
  last_run_ = nullptr;
  last_live_ = nullptr;
}

void run_view::erase_block() {
  // Up one line and clear it, once per line drawn; the cursor ends where the
  // block began, so new output replaces it.
  for (int i = 0; i < drawn_lines_; ++i)
    out_ << "\x1b[1A\x1b[2K";
  out_ << "\r";
  drawn_lines_ = 0;
}

void run_view::redraw(const store::run_record& run, const std::string& phase,
                      const std::map<int, live_figures>& live) {
  last_draw_ = clock_type::now();
  auto width = terminal_width() - 1;
  size_t done = 0;
  double usd = 0;
  for (const auto& s : run.subtasks) {
    done += s.state == store::subtask_state::done || s.state == store::subtask_state::failed;
    usd += s.usd;
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(last_draw_ - started_);
  std::string head = "et run " + run.header.id + "  " + phase + "  " + std::to_string(done) + "/"
                     + std::to_string(run.subtasks.size()) + " subtasks  " + format_elapsed(elapsed)
                     + "  " + cost::format_usd(usd);
  out_ << row(head, width) << "\n";
  drawn_lines_ = 1;
  for (const auto& s : run.subtasks) {
    auto i = live.find(s.number);
    auto line = subtask_line(s, i == live.end() ? nullptr : &i->second);
    out_ << row(line, width) << "\n";
    ++drawn_lines_;
  }
}

std::string fallback_event(const store::fallback_record& f, const std::string& who) {
  return who + " " + describe(f.taken, f.answered);
}

std::string summary_text(const store::run_record& run, const std::string& cost_table) {
  std::string out = "phases:";
  for (const auto& p : run.phases)
    out += "  " + p.name + " " + format_elapsed(std::chrono::milliseconds{p.elapsed_ms});
  out += "\n";
  if (auto taken = counts_text(run.fallbacks_by_reason()); !taken.empty())
    out += taken + "\n";
  if (!run.acceptance.empty()) {
    const auto& last = run.acceptance.back();
    size_t met = 0;
    for (const auto& c : last.results)
      met += c.passed;
    out += "acceptance: " + std::to_string(met) + "/" + std::to_string(last.results.size())
           + " criteria met after " + std::to_string(run.acceptance.size()) + " check"
           + (run.acceptance.size() == 1 ? "" : "s") + "\n";
  }
  if (!cost_table.empty()) {
    out += cost_table;
    if (out.back() != '\n')
      out += "\n";
  }
  return out;
}

} // namespace et::app
