// Reading a run journal: the events replayed in order into a run_record. A torn or garbled
// line is skipped and counted; events this build does not know are ignored. Boost 1.81 may
// parse a 17-digit double one ulp off; dollars and scores do not care.

#include "et/store/detail/journal_fields.hpp"
#include "et/store/detail/journal_lines.hpp"
#include "et/store/journal.hpp"
#include "et/store/run_lock.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <map>

#include "et/llm/plausible.hpp"
#include "et/plan/dependencies.hpp"

namespace et::store {

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

using namespace detail; // journal_file and the field readers of journal_fields.hpp

// Events about a subtask the plan did not announce still land somewhere visible.
subtask_record* slot(run_record& r, int number) {
  // Numbers a plan can have: an event about subtask 4000000 makes no subtask to run.
  if (number <= 0 || number > static_cast<int>(plan::max_plan_subtasks))
    return nullptr;
  auto it = std::lower_bound(r.subtasks.begin(), r.subtasks.end(), number,
                             [](const subtask_record& s, int n) { return s.number < n; });
  if (it == r.subtasks.end() || it->number != number) {
    it = r.subtasks.insert(it, subtask_record{});
    it->number = number;
  }
  return &*it;
}

// The most names a subtask's files or a run's warnings keep: a real answer writes far fewer,
// and each new name is looked for among those kept, so a journal listing a million names
// must not cost a million squared comparisons.
constexpr size_t max_listed = 1000;

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    if (to.size() >= max_listed)
      return;
    if (std::find(to.begin(), to.end(), p) == to.end())
      to.push_back(p);
  }
}

run_header header_of(const json::object& e) {
  run_header h;
  h.id = text(e, "id");
  h.started_ms = time_ms(e, "started_ms", integer(e, "at"));
  h.task = text(e, "task");
  h.config = text(e, "config");
  h.supervisor_role = text(e, "supervisor_role");
  h.worker_role = text(e, "worker_role");
  h.max_subtasks =
      within(e, "max_subtasks", 1, static_cast<int>(plan::max_plan_subtasks), h.max_subtasks);
  h.output_dir = text(e, "output_dir");
  h.verify = text(e, "verify");
  h.max_iterations = within(e, "max_iterations", 1, 20, h.max_iterations);
  h.seal = text(e, "seal");
  h.synthesize = flag(e, "synthesize", true);
  h.review = flag(e, "review", true);
  h.refine = flag(e, "refine", true);
  // Journals from before the brief have none: a resume does not add one.
  h.coordinate = flag(e, "coordinate", false);
  h.accept = texts(e, "accept");
  // Journals from before these were kept have none: the defaults, as those runs had.
  if (auto score = number(e, "min_score", h.min_score); score >= 0 && score <= 10)
    h.min_score = score;
  h.max_reasks = within(e, "max_reasks", 0, 10, h.max_reasks);
  h.verify_timeout_s = within(e, "verify_timeout_s", 1, 604800, h.verify_timeout_s);
  h.sandbox = text(e, "sandbox");
  if (!h.sandbox.empty() && h.sandbox != "auto" && h.sandbox != "off")
    h.sandbox = "on"; // "on", or damage: the strictest
  h.context = text(e, "context");
  return h;
}

// The plan as written, before folding (which would merge duplicate numbers), checked like
// any plan from outside: a journal edited by hand or damaged must not hang a resume.
result<void> check_plan(const json::object& e, const run_header& h) {
  std::vector<plan::subtask> subtasks;
  for (const auto& v : list(e, "subtasks")) {
    if (!v.is_object())
      return make_failure(errc::invalid_input, "a subtask of the plan is not an object");
    plan::subtask s;
    s.number = small(v.get_object(), "number");
    s.depends_on = numbers(v.get_object(), "depends_on");
    subtasks.push_back(std::move(s));
  }
  auto limit = h.max_subtasks > 0 ? static_cast<size_t>(h.max_subtasks) : size_t{0};
  return plan::validate_plan(subtasks, limit);
}

void on_planned(run_record& r, const json::object& e) {
  r.summary = text(e, "summary");
  r.brief = text(e, "brief");
  r.subtasks.clear(); // a new plan replaces the old one
  for (const auto& v : list(e, "subtasks")) {
    if (!v.is_object())
      continue;
    const auto& o = v.get_object();
    if (auto* s = slot(r, small(o, "number"))) {
      s->text = text(o, "text");
      s->depends_on = numbers(o, "depends_on");
      s->specialist = text(o, "specialist");
    }
  }
  add_unique(r.warnings, texts(e, "warnings"));
}

void on_assigned(run_record& r, const json::object& e) {
  if (auto* s = slot(r, small(e, "number"))) {
    s->state = subtask_state::running;
    s->member = text(e, "member");
    s->attempts = within(e, "attempt", 0, 1'000'000, 0);
  }
}

void on_reviewed(run_record& r, const json::object& e) {
  if (auto* s = slot(r, small(e, "number")))
    s->score = number(e, "score");
}

void on_subtask_finished(run_record& r, const json::object& e) {
  auto* s = slot(r, small(e, "number"));
  if (s == nullptr)
    return;
  // A state this et does not write (a newer et, a hand edit) counts as not finished:
  // a resume runs the subtask again rather than trusting an output it cannot place.
  s->state = subtask_state_from(text(e, "state")).value_or(subtask_state::pending);
  s->member = text(e, "member");
  s->provider = text(e, "provider");
  s->model = text(e, "model");
  s->output = text(e, "output");
  s->error = text(e, "error");
  s->tokens = tokens(e, "tokens");
  s->usd = dollars(e, "usd");
  s->attempts = within(e, "attempts", 0, 1'000'000, 0);
  s->elapsed_ms = time_ms(e, "elapsed_ms");
  if (e.contains("score") && e.at("score").is_number())
    s->score = number(e, "score");
  add_unique(s->files, texts(e, "files"));
  s->context = texts(e, "context");
}

void on_files_written(run_record& r, const json::object& e) {
  if (auto* s = slot(r, small(e, "number")))
    add_unique(s->files, texts(e, "paths"));
}

void on_verified(run_record& r, const json::object& e) {
  r.verifications.push_back(verify_record{small(e, "iteration"), flag(e, "passed", false),
                                          small(e, "exit_code", -1), flag(e, "timed_out", false),
                                          text(e, "output"), numbers(e, "blamed")});
}

void on_accepted(run_record& r, const json::object& e) {
  acceptance_record a{small(e, "iteration"), {}};
  for (const auto& v : list(e, "results"))
    if (v.is_object()) {
      const auto& o = v.get_object();
      a.results.push_back(plan::criterion_result{text(o, "criterion"), flag(o, "passed", false),
                                                 text(o, "why"), numbers(o, "subtasks")});
    }
  r.acceptance.push_back(std::move(a));
}

// A reason this build does not know (a newer et's) is skipped, not guessed.
void on_fallback(run_record& r, const json::object& e) {
  auto reason = errc_from_string(text(e, "reason"));
  if (!reason)
    return;
  fallback_taken t{text(e, "from"),           text(e, "to"),     *reason, small(e, "http_status"),
                   flag(e, "skipped", false), text(e, "message")};
  r.fallbacks.push_back(fallback_record{small(e, "number"), text(e, "role"), std::move(t),
                                        flag(e, "answered", false)});
}

void on_finished(run_record& r, const json::object& e) {
  // A status this et does not write ended somehow, but not as `done`: resumable.
  r.status = run_status_from(text(e, "status")).value_or(run_status::failed);
  r.tokens = tokens(e, "tokens");
  r.usd = dollars(e, "usd");
  // Older journals did not count them: unknown, not none.
  r.unpriced = e.contains("unpriced")
                   ? std::optional<int64_t>{std::max<int64_t>(0, integer(e, "unpriced", 0))}
                   : std::nullopt;
  r.finished_ms = time_ms(e, "at");
}

using handler = void (*)(run_record&, const json::object&);

// Unknown events (from a newer et) are ignored, not counted as damage.
const std::map<std::string, handler, std::less<>>& handlers() {
  static const std::map<std::string, handler, std::less<>> table{
      {"planned", on_planned},
      {"assigned", on_assigned},
      {"reviewed", on_reviewed},
      {"subtask_finished", on_subtask_finished},
      {"files_written", on_files_written},
      {"verified", on_verified},
      {"fallback", on_fallback},
      {"accepted", on_accepted},
      {"phase",
       [](run_record& r, const json::object& e) {
         r.phases.push_back({text(e, "name"), time_ms(e, "elapsed_ms")});
       }},
      {"warning",
       [](run_record& r, const json::object& e) { r.warnings.push_back(text(e, "text")); }},
      {"final_output",
       [](run_record& r, const json::object& e) { r.final_output = text(e, "text"); }},
      {"briefed", [](run_record& r, const json::object& e) { r.brief = text(e, "brief"); }},
      {"finished", on_finished},
      {"resumed",
       [](run_record& r, const json::object&) {
         ++r.resumes;
         r.status = run_status::running;
       }},
  };
  return table;
}

// An event object, or nullopt for a torn or garbled line.
std::optional<json::object> parse_event(const std::string& line) {
  json::parse_options options;
  options.allow_invalid_utf8 = true; // journals written by hand or by older builds
  json::error_code ec;
  auto v = json::parse(line, ec, {}, options);
  if (ec || !v.is_object() || !v.get_object().contains("event")
      || !v.get_object().at("event").is_string())
    return std::nullopt;
  return std::move(v.get_object());
}

bool blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

// The started_ms of a run folder's first event, without reading the rest.
std::optional<int64_t> started_ms(const fs::path& dir) {
  std::string line;
  auto read = for_each_line(dir / journal_file, [&](std::string& l) {
    if (blank(l))
      return true;
    line = std::move(l);
    return false;
  });
  if (!read)
    return std::nullopt;
  auto e = parse_event(line);
  if (!e || e->at("event").get_string() != "started")
    return std::nullopt;
  return time_ms(*e, "started_ms", integer(*e, "at"));
}

} // namespace

const subtask_record* run_record::find(int number) const {
  auto it = std::find_if(subtasks.begin(), subtasks.end(),
                         [number](const subtask_record& s) { return s.number == number; });
  return it == subtasks.end() ? nullptr : &*it;
}

bool acceptance_record::passed() const {
  for (const auto& c : results)
    if (!c.passed)
      return false;
  return true;
}

fallback_counts run_record::fallbacks_by_reason() const {
  fallback_counts counts;
  for (const auto& f : fallbacks)
    ++counts[f.taken.reason];
  return counts;
}

result<run_record> read_run(const std::filesystem::path& run_dir) {
  auto file = run_dir / journal_file;
  run_record r;
  bool started = false;
  std::optional<failure> bad;
  auto read = for_each_line(file, [&](std::string& line) {
    if (blank(line))
      return true;
    auto e = parse_event(line);
    auto name = e ? std::string_view{e->at("event").get_string()} : std::string_view{};
    if (!started && name != "started") {
      bad = make_failure(errc::invalid_input,
                         "journal: " + file.string() + " does not start with a started event");
      return false;
    }
    if (!e) {
      ++r.damaged_lines;
    } else if (!started) {
      r.header = header_of(*e);
      started = true;
    } else if (auto h = handlers().find(name); h != handlers().end()) {
      if (name == "planned")
        if (auto valid = check_plan(*e, r.header); !valid) {
          bad = make_failure(errc::invalid_input,
                             "journal: " + file.string() + ": " + valid.error().message);
          return false;
        }
      h->second(r, *e);
    }
    return true;
  });
  if (!read)
    return read.error();
  if (bad)
    return *bad;
  if (!started)
    return make_failure(errc::invalid_input, "journal: " + file.string() + " is empty");
  // The run is the folder it was found in, whatever the journal says: its id names the folder
  // a resume locks and appends to (a copied folder, or "../x", would name another).
  r.header.id = run_dir.filename().string();
  // A run that says it is running while no process holds its lock died without a word.
  if (r.status == run_status::running && !run_lock::in_use(run_dir))
    r.status = run_status::interrupted;
  return r;
}

std::vector<run_record> list_runs(const std::filesystem::path& runs_dir, size_t limit) {
  std::vector<std::pair<int64_t, fs::path>> found;
  std::error_code ec;
  // Error-code iteration: a missing or unreadable runs dir is an empty list, never a throw.
  for (fs::directory_iterator it{runs_dir, ec}, end; !ec && it != end; it.increment(ec))
    if (it->is_directory(ec))
      if (auto at = started_ms(it->path()))
        found.emplace_back(*at, it->path());
  // Newest first; the folder name (which starts with the time) breaks ties.
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second.filename() > b.second.filename();
  });
  std::vector<run_record> runs;
  for (const auto& [at, dir] : found) {
    if (limit != 0 && runs.size() == limit)
      break;
    if (auto r = read_run(dir))
      runs.push_back(std::move(*r));
  }
  return runs;
}

} // namespace et::store
