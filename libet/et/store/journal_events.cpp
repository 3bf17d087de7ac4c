// Encoding the run journal's events: one writer per event, each a JSON line appended through
// journal_writer::append (journal.cpp); files a "done" event names are written before it.

#include "et/store/detail/journal_lines.hpp"
#include "et/store/journal.hpp"
#include "et/store/usage_json.hpp"

#include <boost/json.hpp>

namespace et::store {

namespace {

namespace json = boost::json;
using detail::event;
using detail::line_of;
using detail::subtask_output;
using detail::to_json;
using detail::write_atomically;
using store::to_json; // usage, next to the overloads above

} // namespace

result<void> journal_writer::planned(const plan::decomposition& plan, const std::string& brief) {
  json::array subtasks;
  for (const auto& s : plan.subtasks)
    subtasks.emplace_back(json::object{{"number", s.number},
                                       {"text", s.text},
                                       {"depends_on", to_json(s.depends_on)},
                                       {"specialist", s.specialist}});
  auto e = event("planned");
  e["summary"] = plan.summary;
  e["brief"] = brief;
  e["proposed"] = plan.proposed;
  e["subtasks"] = std::move(subtasks);
  e["warnings"] = to_json(plan.warnings);
  return append(line_of(e));
}

result<void> journal_writer::briefed(const std::string& brief) {
  auto e = event("briefed");
  e["brief"] = brief;
  return append(line_of(e));
}

result<void> journal_writer::assigned(int number, const std::string& member, int attempt) {
  auto e = event("assigned");
  e["number"] = number;
  e["member"] = member;
  e["attempt"] = attempt;
  return append(line_of(e));
}

result<void> journal_writer::attempt_failed(int number, const std::string& member,
                                            const std::string& error) {
  auto e = event("attempt_failed");
  e["number"] = number;
  e["member"] = member;
  e["error"] = error;
  return append(line_of(e));
}

result<void> journal_writer::fallback(const fallback_record& f) {
  auto e = event("fallback");
  e["number"] = f.subtask;
  e["role"] = f.role;
  e["from"] = f.taken.from;
  e["to"] = f.taken.to;
  e["reason"] = to_string(f.taken.reason);
  e["http_status"] = f.taken.http_status;
  e["skipped"] = f.taken.skipped;
  e["message"] = f.taken.message; // scrubbed where the provider answered
  e["answered"] = f.answered;
  return append(line_of(e));
}

result<void> journal_writer::reviewed(int number, double score, const std::string& note,
                                      int round) {
  auto e = event("reviewed");
  e["number"] = number;
  e["score"] = score;
  e["note"] = note;
  e["round"] = round;
  return append(line_of(e));
}

result<void> journal_writer::subtask_finished(const subtask_record& s) {
  // The file comes first: a journal that says "done" always has its output file.
  if (s.state == subtask_state::done)
    if (auto ok = write_atomically(subtask_output(dir_, s.number), s.output); !ok)
      return ok;
  auto e = event("subtask_finished");
  e["number"] = s.number;
  e["state"] = name_of(s.state);
  e["member"] = s.member;
  e["provider"] = s.provider;
  e["model"] = s.model;
  e["output"] = s.output;
  e["error"] = s.error;
  e["tokens"] = to_json(s.tokens);
  e["usd"] = s.usd;
  e["attempts"] = s.attempts;
  e["elapsed_ms"] = s.elapsed_ms;
  if (s.score)
    e["score"] = *s.score;
  e["files"] = to_json(s.files);
  if (!s.context.empty())
    e["context"] = to_json(s.context);
  return append(line_of(e));
}

result<void> journal_writer::files_written(int number, const std::vector<std::string>& paths) {
  auto e = event("files_written");
  e["number"] = number;
  e["paths"] = to_json(paths);
  return append(line_of(e));
}

result<void> journal_writer::verified(const verify_record& v) {
  auto e = event("verified");
  e["iteration"] = v.iteration;
  e["passed"] = v.passed;
  e["exit_code"] = v.exit_code;
  e["timed_out"] = v.timed_out;
  e["output"] = v.output;
  e["blamed"] = to_json(v.blamed);
  return append(line_of(e));
}

result<void> journal_writer::accepted(const acceptance_record& a) {
  json::array results;
  for (const auto& c : a.results)
    results.emplace_back(json::object{{"criterion", c.criterion},
                                      {"passed", c.passed},
                                      {"why", c.why},
                                      {"subtasks", to_json(c.subtasks)}});
  auto e = event("accepted");
  e["iteration"] = a.iteration;
  e["results"] = std::move(results);
  return append(line_of(e));
}

result<void> journal_writer::phase(const std::string& name, int64_t elapsed_ms) {
  auto e = event("phase");
  e["name"] = name;
  e["elapsed_ms"] = elapsed_ms;
  return append(line_of(e));
}

result<void> journal_writer::warning(const std::string& text) {
  auto e = event("warning");
  e["text"] = text;
  return append(line_of(e));
}

result<void> journal_writer::final_output(const std::string& text) {
  if (auto ok = write_atomically(dir_ / "outputs" / "result.md", text); !ok)
    return ok;
  auto e = event("final_output");
  e["text"] = text;
  return append(line_of(e));
}

result<void> journal_writer::finished(run_status status, const usage& tokens, double usd,
                                      std::optional<int64_t> unpriced) {
  auto e = event("finished");
  e["status"] = name_of(status);
  e["tokens"] = to_json(tokens);
  e["usd"] = usd;
  if (unpriced)
    e["unpriced"] = *unpriced;
  return append(line_of(e));
}

} // namespace et::store
