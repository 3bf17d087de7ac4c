#include "et/app/run_single.hpp"

#include <boost/json.hpp>
#include <optional>
#include <ostream>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/app/json_out.hpp"
#include "et/app/runtime.hpp"
#include "et/cost/summary.hpp"
#include "et/store/usage_json.hpp"

namespace et::app {

namespace {

namespace json = boost::json;

role_request single_request(const config::settings& s, const run_options& o) {
  role_request req;
  req.id = 1;
  req.role = o.worker_role;
  auto r = s.role_or_default(o.worker_role);
  if (r.system_prompt)
    req.request.messages.push_back(message{role::system, *r.system_prompt, {}, {}, {}});
  req.request.messages.push_back(message{role::user, o.task, {}, {}, {}});
  return req;
}

std::optional<cost::cost_report> spend_of(caf::scoped_actor& self,
                                          const actors::ledger_actor& ledger) {
  std::optional<cost::cost_report> out;
  self->request(ledger, std::chrono::seconds{5}, actors::summary_atom::value)
      .receive([&](cost::cost_report& r) { out = std::move(r); }, [&](caf::error&) {});
  return out;
}

void print_spend(context& ctx, const cost::cost_report& r) {
  ctx.err << "tokens: " << r.prompt_tokens << " prompt, " << r.completion_tokens
          << " completion; cost "
          << (r.unpriced_requests > 0 && r.usd == 0 ? "unpriced" : cost::format_usd(r.usd))
          << (r.estimated_requests > 0 ? " (+ about " + cost::format_usd(r.estimated_usd)
                                             + " estimated for attempts that ended without usage)"
                                       : std::string{})
          << "\n";
}

// The alias that answered, or provider/model for a direct reference.
std::string who_answered(const routed_response& a) {
  return a.alias.empty() ? a.provider + "/" + a.model : a.alias;
}

json::array fallbacks_json(const std::vector<fallback_taken>& taken) {
  json::array out;
  for (const auto& f : taken)
    out.emplace_back(json::object{{"from", f.from},
                                  {"to", f.to},
                                  {"reason", to_string(f.reason)},
                                  {"http_status", f.http_status},
                                  {"skipped", f.skipped},
                                  {"message", f.message}});
  return out;
}

// The one document of `--json`: what was asked, the answer, who answered, and what it cost.
json::object single_json(const run_options& o, const std::string& text, std::string_view status,
                         const result<routed_response>& answer,
                         const std::optional<cost::cost_report>& spend) {
  json::object doc{{"mode", "single"},
                   {"status", status},
                   {"task", o.task},
                   {"role", o.worker_role},
                   {"answer", text}};
  if (answer) {
    const auto& a = *answer;
    doc["answered_by"] = who_answered(a);
    doc["provider"] = a.provider;
    doc["model"] = a.model;
    doc["attempts"] = a.attempts;
    doc["finish"] = to_string(a.response.finish);
    doc["usage"] = store::to_json(a.response.tokens);
    doc["fallbacks"] = fallbacks_json(a.fallbacks);
  } else {
    doc["error"] = to_string(answer.error());
  }
  if (spend)
    doc["spend"] = json::object{{"prompt_tokens", spend->prompt_tokens},
                                {"completion_tokens", spend->completion_tokens},
                                {"usd", spend->usd},
                                {"unpriced_requests", spend->unpriced_requests},
                                {"estimated_usd", spend->estimated_usd}};
  return doc;
}

} // namespace

int run_single(context& ctx, std::shared_ptr<config::settings> s, const run_options& o) {
  if (o.budget)
    s->budgets.per_run = *o.budget;
  auto runtime = role_runtime::start(ctx, "et run", s);
  if (!runtime)
    return exit_usage;
  caf::scoped_actor self{runtime->system()};
  interrupt_guard guard;
  auto deadline = o.timeout_s > 0
                      ? std::chrono::steady_clock::now() + std::chrono::seconds{o.timeout_s}
                      : std::chrono::steady_clock::time_point::max();
  std::string text; // the answer with --json, else the last byte shown
  // With --json nothing is shown before the end: the router relays no piece, so a model that
  // fails midway is fallen back from instead of ending the run with half an answer. (Asking
  // for the whole answer would hold a slow model to the first-byte timeout.)
  std::function<void(const std::string&)> show;
  if (!o.json)
    show = [&](const std::string& piece) {
      if (!piece.empty()) {
        ctx.out << piece << std::flush;
        text.assign(1, piece.back());
      }
    };
  auto req = single_request(*s, o);
  req.text_unseen = o.json;
  // The wait for a retry (a Retry-After of a minute) would otherwise be silence.
  auto say_retry = [&](const retry_notice& n) { ctx.err << "et run: " << retry_line(n) << "\n"; };
  auto answer = stream_role(
      self, runtime->router(), req, show,
      [&] { return interrupt_guard::raised() || std::chrono::steady_clock::now() > deadline; },
      runtime->fallbacks(), say_retry);
  if (o.json && answer)
    text = answer->response.content;
  if (!o.json && !text.empty() && text.back() != '\n')
    ctx.out << "\n";
  int code = exit_ok;
  std::string_view status = "done";
  if (answer) {
    print_fallbacks(ctx.err, *answer);
    fallback_counts counts;
    count_fallbacks(counts, answer->fallbacks);
    auto taken = counts_text(counts);
    ctx.err << "answered by " << who_answered(*answer) << " after " << answer->attempts
            << (answer->attempts == 1 ? " attempt" : " attempts")
            << (taken.empty() ? "" : " (" + taken + ")") << "\n";
  } else if (interrupt_guard::raised()) {
    ctx.err << "et run: interrupted\n";
    code = exit_interrupted;
    status = "interrupted";
  } else if (std::chrono::steady_clock::now() > deadline) {
    ctx.err << "et run: timed out after " << o.timeout_s << "s (--timeout)\n";
    code = exit_failed;
    status = "timed_out";
  } else {
    ctx.err << "et run: " << to_string(answer.error()) << "\n";
    code = exit_failed;
    status = "failed";
  }
  auto spend = spend_of(self, runtime->ledger());
  if (spend)
    print_spend(ctx, *spend);
  if (o.json)
    print_json(ctx.out, single_json(o, text, status, answer, spend));
  return code;
}

} // namespace et::app
