#include "et/app/run_records.hpp"

#include <ostream>

#include "et/store/usage_json.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using store::to_json; // usage, next to the overloads below

// -- JSON -----------------------------------------------------------------------------------

json::object to_json(const store::run_header& h) {
  return {{"id", h.id},
          {"started_ms", h.started_ms},
          {"task", h.task},
          {"config", h.config},
          {"supervisor_role", h.supervisor_role},
          {"worker_role", h.worker_role},
          {"max_subtasks", h.max_subtasks},
          {"output_dir", h.output_dir},
          {"verify", h.verify},
          {"max_iterations", h.max_iterations},
          {"synthesize", h.synthesize},
          {"review", h.review},
          {"refine", h.refine},
          {"coordinate", h.coordinate},
          {"accept", json::array(h.accept.begin(), h.accept.end())},
          {"min_score", h.min_score},
          {"max_reasks", h.max_reasks},
          {"verify_timeout_s", h.verify_timeout_s},
          {"sandbox", h.sandbox},
          {"context", h.context}};
}

json::object to_json(const store::subtask_record& s) {
  return {{"number", s.number},
          {"text", s.text},
          {"depends_on", json::array(s.depends_on.begin(), s.depends_on.end())},
          {"specialist", s.specialist},
          {"state", store::name_of(s.state)},
          {"member", s.member},
          {"provider", s.provider},
          {"model", s.model},
          {"output", s.output},
          {"error", s.error},
          {"tokens", to_json(s.tokens)},
          {"usd", s.usd},
          {"attempts", s.attempts},
          {"elapsed_ms", s.elapsed_ms},
          {"score", s.score ? json::value(*s.score) : json::value(nullptr)},
          {"files", json::array(s.files.begin(), s.files.end())},
          {"context", json::array(s.context.begin(), s.context.end())}};
}

} // namespace

json::object run_to_json(const store::run_record& r) {
  json::array subtasks, verifications, phases;
  for (const auto& s : r.subtasks)
    subtasks.emplace_back(to_json(s));
  for (const auto& v : r.verifications)
    verifications.emplace_back(
        json::object{{"iteration", v.iteration},
                     {"passed", v.passed},
                     {"exit_code", v.exit_code},
                     {"timed_out", v.timed_out},
                     {"output", v.output},
                     {"blamed", json::array(v.blamed.begin(), v.blamed.end())}});
  for (const auto& p : r.phases)
    phases.emplace_back(json::object{{"name", p.name}, {"elapsed_ms", p.elapsed_ms}});
  json::array fallbacks;
  for (const auto& f : r.fallbacks)
    fallbacks.emplace_back(json::object{{"subtask", f.subtask},
                                        {"role", f.role},
                                        {"from", f.taken.from},
                                        {"to", f.taken.to},
                                        {"reason", to_string(f.taken.reason)},
                                        {"http_status", f.taken.http_status},
                                        {"skipped", f.taken.skipped},
                                        {"message", f.taken.message},
                                        {"answered", f.answered}});
  json::array acceptance;
  for (const auto& a : r.acceptance) {
    json::array results;
    for (const auto& c : a.results)
      results.emplace_back(
          json::object{{"criterion", c.criterion},
                       {"passed", c.passed},
                       {"why", c.why},
                       {"subtasks", json::array(c.subtasks.begin(), c.subtasks.end())}});
    acceptance.emplace_back(json::object{
        {"iteration", a.iteration}, {"passed", a.passed()}, {"results", std::move(results)}});
  }
  json::object by_reason;
  for (const auto& [reason, n] : r.fallbacks_by_reason())
    by_reason[to_string(reason)] = n;
  return {{"header", to_json(r.header)},
          {"status", store::name_of(r.status)},
          {"summary", r.summary},
          {"brief", r.brief},
          {"warnings", json::array(r.warnings.begin(), r.warnings.end())},
          {"subtasks", std::move(subtasks)},
          {"verifications", std::move(verifications)},
          {"acceptance", std::move(acceptance)},
          {"phases", std::move(phases)},
          {"fallbacks", std::move(fallbacks)},
          {"fallbacks_by_reason", std::move(by_reason)},
          {"final_output", r.final_output},
          {"tokens", to_json(r.tokens)},
          {"usd", r.usd},
          // Calls not in `usd` for want of a price; null: not known (an older journal).
          {"unpriced_requests", r.unpriced ? json::value(*r.unpriced) : json::value(nullptr)},
          {"finished_ms", r.finished_ms},
          {"resumes", r.resumes},
          {"damaged_lines", r.damaged_lines}};
}

// The run named exactly, else the one run whose id starts with `id`.
std::optional<store::run_record> find_run(context& ctx, std::string_view command,
                                          const fs::path& dir, const std::string& id) {
  auto who = std::string{command} + ": ";
  bool plain = !id.empty() && id != "." && id != ".." && id.find('/') == std::string::npos;
  if (plain && fs::exists(dir / id)) {
    auto r = store::read_run(dir / id);
    if (r)
      return std::move(*r);
    ctx.err << who << r.error().message << "\n";
    ctx.exit = exit_failed;
    return std::nullopt;
  }
  std::vector<store::run_record> matches;
  std::vector<std::string> ids;
  for (auto& r : store::list_runs(dir)) {
    ids.push_back(r.header.id);
    if (!id.empty() && starts_with(r.header.id, id))
      matches.push_back(std::move(r));
  }
  if (matches.size() == 1)
    return std::move(matches.front());
  ctx.exit = exit_usage;
  if (matches.empty()) {
    ctx.err << who << "no run \"" << id << "\" in " << dir.string();
    if (auto guess = nearest(id, ids))
      ctx.err << "; did you mean \"" << *guess << "\"?";
  } else {
    ctx.err << who << "\"" << id << "\" matches " << matches.size()
            << " runs: " << matches[0].header.id << ", " << matches[1].header.id
            << (matches.size() > 2 ? ", ..." : "");
  }
  ctx.err << "\n";
  return std::nullopt;
}

} // namespace et::app
