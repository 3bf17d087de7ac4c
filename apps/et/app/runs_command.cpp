// `et runs` and `et runs show ID`: what the run journals in the runs dir say, as a table, a
// report of one run, or JSON. Reading only; nothing here writes to a journal.

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <ctime>
#include <ostream>

#include "et/app/commands.hpp"
#include "et/app/flag_checks.hpp"
#include "et/app/json_out.hpp"
#include "et/app/run_records.hpp"
#include "et/app/run_view.hpp"
#include "et/config/paths.hpp"
#include "et/cost/summary.hpp"
#include "et/llm/plausible.hpp"
#include "et/store/journal.hpp"
#include "et/util/json_text.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

struct runs_flags {
  int limit = 20;
  bool json = false;
  std::string id;
};

// -- formatting -------------------------------------------------------------------------------

std::string local_time(int64_t unix_ms) {
  auto t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string duration(int64_t ms) {
  char buf[32];
  if (ms < 1000)
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  else if (ms < 60'000)
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000);
  else if (ms < 3'600'000)
    std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms / 1000 % 60));
  else
    std::snprintf(buf, sizeof buf, "%lldh %02lldm", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60));
  return buf;
}

// Cut by code points, not bytes, so a task in any language never ends mid-character; "…"
// also marks the lines after the first.
std::string fit(std::string_view text, size_t width) {
  auto line = text.substr(0, text.find('\n'));
  bool more = line.size() < text.size();
  std::vector<size_t> starts;
  for (size_t i = 0; i < line.size(); ++i)
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80)
      starts.push_back(i);
  if (starts.size() + (more ? 1 : 0) <= width)
    return std::string{line} + (more ? "…" : "");
  return std::string{line.substr(0, starts[width - 1])} + "…";
}

int64_t total_tokens(const usage& u) {
  return saturating_add(u.prompt_tokens, u.completion_tokens);
}

// A run that never finished has no totals yet: its subtasks hold what was spent.
std::pair<usage, double> spend_of(const store::run_record& r) {
  if (r.finished_ms != 0)
    return {r.tokens, r.usd};
  std::pair<usage, double> sum;
  for (const auto& s : r.subtasks) {
    sum.first += s.tokens;
    sum.second += s.usd;
  }
  return sum;
}

// The run's cost as money, with its calls of unknown price said apart ("$0.12 (+3 unpriced)");
// a run from before those were counted, or not finished yet, shows its tokens when it has no
// dollars, as free and unpriced cannot be told apart there.
std::string cost_of(const store::run_record& r, const usage& tokens, double usd) {
  auto unpriced = r.finished_ms != 0 ? r.unpriced : std::nullopt;
  if (!unpriced)
    return usd == 0 && total_tokens(tokens) > 0 ? std::to_string(total_tokens(tokens)) + " tokens"
                                                : cost::format_usd(usd);
  if (*unpriced == 0)
    return cost::format_usd(usd);
  auto calls = std::to_string(*unpriced) + " unpriced";
  return usd == 0 ? calls : cost::format_usd(usd) + " (+" + calls + ")";
}

std::string subtask_counts(const store::run_record& r) {
  size_t done = 0, failed = 0;
  for (const auto& s : r.subtasks) {
    done += s.state == store::subtask_state::done;
    failed += s.state == store::subtask_state::failed;
  }
  auto text = std::to_string(done) + "/" + std::to_string(r.subtasks.size());
  return failed ? text + ", " + std::to_string(failed) + " failed" : text;
}

// -- et runs ----------------------------------------------------------------------------------

using rows = std::vector<std::vector<std::string>>;

// Columns padded to their widest cell; the last one is left ragged (it holds free text).
void print_rows(std::ostream& out, const rows& table, const std::string& indent) {
  std::vector<size_t> width;
  for (const auto& row : table)
    for (size_t c = 0; c < row.size(); ++c) {
      width.resize(std::max(width.size(), row.size()));
      width[c] = std::max(width[c], row[c].size());
    }
  for (const auto& row : table) {
    std::string line = indent;
    for (size_t c = 0; c + 1 < row.size(); ++c)
      line += row[c] + std::string(width[c] - row[c].size() + 2, ' ');
    out << line << row.back() << "\n";
  }
}

void print_table(std::ostream& out, const std::vector<store::run_record>& runs) {
  rows table{{"ID", "STARTED", "STATUS", "SUBTASKS", "COST", "TASK"}};
  for (const auto& r : runs) {
    auto [tokens, usd] = spend_of(r);
    table.push_back({r.header.id, local_time(r.header.started_ms), store::to_string(r.status),
                     subtask_counts(r), cost_of(r, tokens, usd), fit(r.header.task, 60)});
  }
  print_rows(out, table, "");
}

int run_list(context& ctx, const fs::path& dir, const runs_flags& flags) {
  auto runs = store::list_runs(dir, static_cast<size_t>(flags.limit));
  if (flags.json) {
    json::array items;
    for (const auto& r : runs)
      items.emplace_back(run_to_json(r));
    print_json(ctx.out, json::object{{"runs_dir", dir.string()}, {"runs", items}});
  } else if (runs.empty()) {
    ctx.err << "no runs yet in " << dir.string() << "\n";
  } else {
    print_table(ctx.out, runs);
  }
  return exit_ok;
}

// -- et runs show -----------------------------------------------------------------------------

// The flags a user would have to repeat to get the same run, defaults left out.
std::string flags_of(const store::run_header& h) {
  std::string out;
  if (!h.output_dir.empty())
    out += " --output-dir " + h.output_dir;
  if (!h.verify.empty())
    out += " --verify \"" + h.verify + "\" --max-iterations " + std::to_string(h.max_iterations);
  const store::run_header usual;
  if (!h.verify.empty() && h.verify_timeout_s != usual.verify_timeout_s)
    out += " --verify-timeout " + std::to_string(h.verify_timeout_s);
  if (!h.verify.empty() && !h.sandbox.empty())
    out += " --sandbox " + h.sandbox;
  if (h.max_subtasks != usual.max_subtasks)
    out += " --max-subtasks " + std::to_string(h.max_subtasks);
  if (h.min_score != usual.min_score)
    out += " --min-score " + json_text(json::value(h.min_score));
  if (h.max_reasks != usual.max_reasks)
    out += " --max-reasks " + std::to_string(h.max_reasks);
  out += h.synthesize ? "" : " --no-synthesize";
  out += h.review ? "" : " --no-review";
  out += h.refine ? "" : " --no-refine";
  out += h.coordinate ? "" : " --no-coordinate";
  return out.empty() ? " (defaults)" : out;
}

void print_header(std::ostream& out, const store::run_record& r) {
  const auto& h = r.header;
  auto [tokens, usd] = spend_of(r);
  out << "run " << h.id << "  " << store::name_of(r.status) << "\n";
  out << "task: ";
  for (auto c : h.task)
    out << c << (c == '\n' ? "      " : ""); // continuation lines under the first
  out << "\n";
  if (!r.summary.empty())
    out << "plan: " << fit(r.summary, 100) << "\n";
  out << "started: " << local_time(h.started_ms) << "  duration: "
      << (r.finished_ms ? duration(r.finished_ms - h.started_ms) : "(not finished)");
  if (r.resumes) {
    // From the first start to the last end, the time between its processes too: say how much
    // of it the run worked (its phases).
    int64_t working = 0;
    for (const auto& p : r.phases)
      working += p.elapsed_ms;
    if (r.finished_ms)
      out << " (" << duration(working) << " of it working)";
    out << "  resumed " << r.resumes << (r.resumes == 1 ? " time" : " times");
  }
  out << "\nconfig: " << h.config << "\nroles: " << h.supervisor_role << " -> " << h.worker_role
      << "\nflags:" << flags_of(h) << "\n";
  out << "spend: " << cost_of(r, tokens, usd) << " (" << tokens.prompt_tokens << " prompt, "
      << tokens.completion_tokens << " completion tokens)\n";
  if (r.damaged_lines)
    out << "journal: " << r.damaged_lines << " damaged line(s) skipped\n";
}

// A subtask's state as a reader takes it: one still pending in a run that no longer runs was
// stopped part way (a resume runs it again) or never started.
std::string shown_state(const store::run_record& r, const store::subtask_record& s) {
  if (s.state != store::subtask_state::pending || r.status == store::run_status::running)
    return store::to_string(s.state);
  return s.attempts > 0 ? "stopped" : "not run";
}

void print_subtasks(std::ostream& out, const store::run_record& r) {
  rows table{{"#", "STATE", "MEMBER", "TRIES", "TOKENS", "COST", "SCORE", "FILES / ERROR"}};
  for (const auto& s : r.subtasks) {
    char score[32] = "-";
    if (s.score)
      std::snprintf(score, sizeof score, "%.3g", *s.score);
    bool unstarted = s.state == store::subtask_state::pending && s.attempts == 0;
    auto tail = s.error.empty() || unstarted ? join(s.files, ", ") : "error: " + fit(s.error, 120);
    table.push_back({std::to_string(s.number), shown_state(r, s), s.member.empty() ? "-" : s.member,
                     std::to_string(s.attempts), std::to_string(total_tokens(s.tokens)),
                     cost::format_usd(s.usd), score, tail});
  }
  print_rows(out, table, "  ");
}

void print_run(std::ostream& out, const fs::path& dir, const store::run_record& r) {
  print_header(out, r);
  rows phases;
  for (const auto& p : r.phases)
    phases.push_back({p.name, duration(p.elapsed_ms)});
  if (!phases.empty()) {
    out << "\nphases:\n";
    print_rows(out, phases, "  ");
  }
  if (!r.subtasks.empty()) {
    out << "\nsubtasks:\n";
    print_subtasks(out, r);
  }
  if (!r.verifications.empty())
    out << "\nverify:\n";
  for (const auto& v : r.verifications) {
    out << "  " << v.iteration << "  "
        << (v.passed      ? "passed"
            : v.timed_out ? "timed out"
                          : "failed (exit " + std::to_string(v.exit_code) + ")");
    std::vector<std::string> blamed;
    for (int n : v.blamed)
      blamed.push_back(std::to_string(n));
    out << (blamed.empty() ? "" : "  sent back: " + join(blamed, ", ")) << "\n";
  }
  if (!r.fallbacks.empty())
    out << "\n" << counts_text(r.fallbacks_by_reason()) << "\n";
  for (const auto& f : r.fallbacks)
    out << "  "
        << fallback_event(f, "[" + (f.subtask > 0 ? std::to_string(f.subtask) : f.role) + "]")
        << "\n";
  if (!r.warnings.empty())
    out << "\nwarnings:\n";
  for (const auto& w : r.warnings)
    out << "  - " << w << "\n";
  if (r.final_output.empty())
    out << "\nno final output; outputs are in " << (dir / "outputs").string() << "\n";
  else
    out << "\nfinal output:\n" << r.final_output << (r.final_output.back() == '\n' ? "" : "\n");
}

int run_show(context& ctx, const fs::path& dir, const runs_flags& flags) {
  auto r = find_run(ctx, "et runs show", dir, flags.id);
  if (!r)
    return ctx.exit;
  if (flags.json)
    print_json(ctx.out, run_to_json(*r));
  else
    print_run(ctx.out, dir / r->header.id, *r);
  return exit_ok;
}

template <class Action>
auto in_runs_dir(context& ctx, std::shared_ptr<runs_flags> flags, Action action) {
  return [&ctx, flags, action] {
    auto s = load_state_settings(ctx);
    if (!s)
      return;
    ctx.exit = action(ctx, config::runs_dir(*s, config::process_env()), *flags);
  };
}

} // namespace

void add_runs_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand("runs", "list past runs from their journals");
  cmd->require_subcommand(0, 1);
  add_config_flag(*cmd, ctx);
  auto flags = std::make_shared<runs_flags>();
  cmd->add_option("--limit", flags->limit, "at most N runs, newest first (default 20; 0 = all)")
      ->transform(number_check("a whole number of runs, 0 (all) to 1000000", 0, 1'000'000, true));
  cmd->add_flag("--json", flags->json, "print one JSON document");
  auto* show_cmd = cmd->add_subcommand("show", "one run: plan, subtasks, verify, final output");
  add_config_flag(*show_cmd, ctx);
  show_cmd->add_option("id", flags->id, "the run id or a unique prefix of it")->required();
  show_cmd->add_flag("--json", flags->json, "print the run as one JSON document");
  show_cmd->callback(in_runs_dir(ctx, flags, run_show));
  auto listing = in_runs_dir(ctx, flags, run_list);
  // CLI11 runs a parent's callback after its subcommand's; only a bare `et runs` lists.
  cmd->callback([show_cmd, listing] {
    if (!show_cmd->parsed())
      listing();
  });
}

} // namespace et::app
