#include "et/roles/prompts.hpp"

#include "et/plan/acceptance.hpp"
#include "et/plan/files.hpp"
#include "et/plan/score.hpp"
#include "et/util/quote.hpp"
#include "et/util/text.hpp"

namespace et::roles {

namespace {

constexpr std::string_view mayor_prompt =
    "You are the mayor: the lead of a team of AI software engineers. You plan the work, split it "
    "into subtasks that workers can carry out in parallel, brief the workers, and combine their "
    "results into one answer. Be concrete and concise, and never invent requirements the task "
    "does not state.";

constexpr std::string_view polecat_prompt =
    "You are a polecat: a worker on a team of AI software engineers. Do exactly the subtask you "
    "are given, completely and correctly, following the shared brief and building on the results "
    "you are given. Reply with the work itself (code, text, data), not a plan or commentary "
    "about it. If something essential is missing, make the smallest reasonable assumption and "
    "state it in one line.";

constexpr std::string_view witness_prompt =
    "You are the witness: a strict, fair reviewer of work produced by AI engineers. Judge "
    "correctness first, then completeness, then clarity. Point out concrete problems with where "
    "they are and how to fix them; do not rewrite the work, and do not praise.";

constexpr std::string_view refinery_prompt =
    "You are the refinery: you turn AI-produced drafts into their final form. Keep everything "
    "that is correct, fix what is wrong, make the structure and wording consistent, and never "
    "drop content the reader needs.";

constexpr std::string_view score_scale =
    "N is a whole number from 0 to 10: 10 correct and complete, 7 usable after small fixes, "
    "4 or less wrong or seriously incomplete.";

void section(std::string& out, std::string_view title, std::string_view body) {
  out += "## ";
  out += title;
  out += "\n";
  out += body;
  if (body.empty() || body.back() != '\n')
    out += "\n";
  out += "\n";
}

std::string numbered_subtasks(const plan::decomposition& plan) {
  std::string out;
  for (const auto& st : plan.subtasks) {
    out += std::to_string(st.number) + ". " + st.text;
    if (!st.depends_on.empty()) {
      out += " [depends: ";
      for (size_t i = 0; i < st.depends_on.size(); ++i)
        out += (i ? ", " : "") + std::to_string(st.depends_on[i]);
      out += "]";
    }
    if (!st.specialist.empty())
      out += " [specialist: " + st.specialist + "]";
    out += "\n";
  }
  return out;
}

// One worker result as a third-level section, its answer (or error) quoted; failures say so
// in the title.
void result_section(std::string& out, const worker_result& r, const quote_marks& marks) {
  out += "### Result " + std::to_string(r.number) + ": " + r.subtask;
  if (!r.ok) {
    out += " (FAILED)\nThis subtask failed and produced no result. Error:\n";
    out += marks.quote(r.error.empty() ? "unknown" : r.error);
    out += "\n";
    return;
  }
  out += "\n" + marks.quote(r.output) + "\n";
}

// The texts of `results` that their sections quote.
void quoted_texts(const std::vector<worker_result>& results, std::vector<std::string_view>& out) {
  for (const auto& r : results)
    out.push_back(r.ok ? std::string_view{r.output} : std::string_view{r.error});
}

// What models wrote, set apart: the marks' rule, for the top of a prompt.
std::string quote_rule(const quote_marks& marks) {
  return marks.rule() + "\n\n";
}

} // namespace

std::string_view to_string(role_kind k) {
  switch (k) {
    case role_kind::mayor:
      return "mayor";
    case role_kind::polecat:
      return "polecat";
    case role_kind::witness:
      return "witness";
    case role_kind::refinery:
      return "refinery";
  }
  return "polecat";
}

std::string_view builtin_system_prompt(role_kind k) {
  switch (k) {
    case role_kind::mayor:
      return mayor_prompt;
    case role_kind::polecat:
      return polecat_prompt;
    case role_kind::witness:
      return witness_prompt;
    case role_kind::refinery:
      return refinery_prompt;
  }
  return polecat_prompt;
}

std::string system_prompt(const config::settings& s, const std::string& role, role_kind kind) {
  auto i = s.roles.find(role);
  if (i != s.roles.end() && i->second.system_prompt)
    return *i->second.system_prompt;
  return std::string{builtin_system_prompt(kind)};
}

std::vector<specialist_info> specialists_of(const config::settings& s) {
  std::vector<specialist_info> out;
  for (const auto& [name, r] : s.specialists)
    out.push_back(specialist_info{name, r.description});
  return out;
}

chat_request make_request(std::string_view system, std::string user) {
  chat_request req;
  if (!system.empty())
    req.messages.push_back(message{role::system, std::string{system}, {}, {}, {}});
  req.messages.push_back(message{role::user, std::move(user), {}, {}, {}});
  return req;
}

chat_request decompose_request(std::string_view system, std::string_view task, size_t max_subtasks,
                               const std::vector<specialist_info>& specialists) {
  auto cap = max_subtasks ? "at most " + std::to_string(max_subtasks) + " subtasks"
                          : std::string{"subtasks"};
  std::string u = "Plan the task below: split it into " + cap
                  + " that workers can carry out in parallel.\n\n"
                    "Reply in exactly this format and nothing else:\n\n"
                    "## Summary\n"
                    "One or two sentences on the approach.\n\n"
                    "## Subtasks\n"
                    "1. A self-contained instruction: what to produce and where.\n"
                    "2. Another instruction. [depends: 1]\n\n"
                    "Rules:\n"
                    "- A worker sees only its own subtask, a shared brief and the results of the "
                    "subtasks it depends on, so every subtask must make sense on its own.\n"
                    "- Use as few subtasks as the task needs";
  u += max_subtasks ? "; never more than " + std::to_string(max_subtasks) + ".\n" : ".\n";
  u += "- Add [depends: N] (or [depends: 1, 3]) only when a subtask needs the output of an "
       "earlier one; subtasks without it start at once.\n";
  if (!specialists.empty()) {
    u += "- Add [specialist: name] to give a subtask to one of these specialists:\n";
    for (const auto& sp : specialists)
      u += "  - " + sp.name + (sp.description.empty() ? "" : ": " + sp.description) + "\n";
  }
  u += "\n";
  section(u, "Task", task);
  return make_request(system, std::move(u));
}

chat_request coordinate_request(std::string_view system, std::string_view task,
                                const plan::decomposition& plan) {
  std::string u = "Write a short brief (under 300 words) that every worker of the plan below "
                  "reads before its subtask: the shared interfaces (function signatures, types, "
                  "formats), the names they must agree on, the file layout, and the integration "
                  "points where their parts meet. Do not repeat the subtasks. Reply with the brief "
                  "only.\n\n";
  section(u, "Task", task);
  if (!plan.summary.empty())
    section(u, "Plan", plan.summary);
  section(u, "Subtasks", numbered_subtasks(plan));
  return make_request(system, std::move(u));
}

chat_request synthesize_request(std::string_view system, std::string_view task,
                                const std::vector<worker_result>& results) {
  std::string u = "Combine the workers' results below, given in subtask order, into one final "
                  "answer to the task. Keep every concrete result (code, files, figures), remove "
                  "repetition, and resolve contradictions, saying which version you kept. For a "
                  "subtask marked FAILED, state plainly what is missing; never invent its "
                  "result.\n\n";
  std::vector<std::string_view> texts;
  quoted_texts(results, texts);
  quote_marks marks{texts};
  u += quote_rule(marks);
  section(u, "Task", task);
  std::string body;
  for (const auto& r : results)
    result_section(body, r, marks);
  section(u, "Results", body.empty() ? "(no results)" : body);
  return make_request(system, std::move(u));
}

chat_request execute_request(std::string_view system, const work_order& order) {
  std::vector<std::string_view> texts{order.previous};
  quoted_texts(order.dependencies, texts);
  quote_marks marks{texts};
  std::string u;
  if (!order.dependencies.empty() || !order.previous.empty())
    u += quote_rule(marks);
  if (!order.task.empty())
    section(u, "Overall task", order.task);
  if (!order.brief.empty())
    section(u, "Brief", order.brief);
  if (!order.context.empty())
    section(u, "Project context", order.context);
  if (!order.dependencies.empty()) {
    std::string body;
    for (const auto& r : order.dependencies)
      result_section(body, r, marks);
    section(u, "Results you build on", body);
  }
  section(u, "Your subtask", order.subtask);
  if (!order.previous.empty()) {
    // A re-ask: the whole earlier answer plus what was wrong, so the worker
    // revises instead of starting over, and answers in full (files included).
    section(u, "Your previous answer", marks.quote(order.previous));
    section(u, "What to fix", order.feedback.empty() ? "(no details given)" : order.feedback);
    u += "Give your complete corrected answer, not only the changes.\n\n";
  }
  if (order.write_files)
    section(u, "Files", plan::file_block_instructions());
  return make_request(system, std::move(u));
}

chat_request review_request_for(std::string_view system, const review_request& r) {
  std::string u = r.task.empty() ? "Review the work below.\n\n"
                                 : "Review the work below against the task it was meant to do: "
                                   "does it do all of it, correctly?\n\n";
  quote_marks marks{{r.output}};
  u += quote_rule(marks);
  if (!r.task.empty())
    section(u, "Task", r.task);
  section(u, "Work", marks.quote(r.output));
  u += "Reply with the line `SCORE: N/10` first, where ";
  u += score_scale;
  u += " Then a short note: at most five bullet points naming the most important problems to "
       "fix, or \"No changes needed.\"\n";
  return make_request(system, std::move(u));
}

chat_request validate_request(std::string_view system, const validation_request& r) {
  std::string u = "Check the work below against each criterion.\n\n";
  std::string list;
  for (size_t i = 0; i < r.criteria.size(); ++i)
    list += std::to_string(i + 1) + ". " + r.criteria[i] + "\n";
  if (!r.task.empty())
    section(u, "Task", r.task);
  section(u, "Criteria", list.empty() ? "(none given: judge correctness)" : list);
  if (!r.parts.empty())
    section(u, "Subtasks the work was made of", join(r.parts, "\n"));
  quote_marks marks{{r.output}};
  u += quote_rule(marks);
  section(u, "Work", marks.quote(r.output));
  u += plan::acceptance_instructions() + "\n";
  return make_request(system, std::move(u));
}

chat_request refine_request_for(std::string_view system, const refine_request& r) {
  std::string u =
      r.feedback.empty()
          ? "Refine the text below: fix errors, tighten the wording and make the structure "
            "consistent, without changing what it says. Reply with the refined text only.\n\n"
          : "Revise the text below so that it addresses every point of the feedback. Change "
            "only what the feedback calls for. Reply with the revised text only.\n\n";
  quote_marks marks{{r.text}};
  u += quote_rule(marks);
  if (!r.task.empty())
    section(u, "Task", r.task);
  if (!r.feedback.empty())
    section(u, "Feedback", r.feedback);
  section(u, "Text", marks.quote(r.text));
  return make_request(system, std::move(u));
}

result<verdict> read_verdict(std::string_view answer) {
  auto score = plan::parse_score(answer);
  if (!score)
    return make_failure(errc::invalid_input, "the reviewer's answer has no readable score ("
                                                 + score.error().message
                                                 + "): " + std::string{answer});
  return verdict{*score, plan::review_note(answer), std::string{answer}};
}

} // namespace et::roles
