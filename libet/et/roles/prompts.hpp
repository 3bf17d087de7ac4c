#pragma once
/// The prompts of the four roles, in one place, and the chat requests built
/// from them. Each role has one system prompt (who it is), replaceable by
/// `roles.<role>.system_prompt`; the instructions a reply must follow to be
/// parsed (sections, markers, the score line, file blocks) travel in the user
/// message, so a custom system prompt never breaks parsing.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "et/config/settings.hpp"
#include "et/llm/chat.hpp"
#include "et/plan/decompose.hpp"
#include "et/roles/messages.hpp"
#include "et/util/result.hpp"

namespace et::roles {

/// The four kinds of role; custom role names act as one of them.
enum class role_kind : uint8_t { mayor, polecat, witness, refinery };

/// "mayor", "polecat", "witness" or "refinery": the default role name.
std::string_view to_string(role_kind k);

/// The built-in system prompt of a kind of role.
std::string_view builtin_system_prompt(role_kind k);

/// The system prompt of role `role` acting as `kind`: its configured
/// `system_prompt` when set, else the built-in one.
std::string system_prompt(const config::settings& s, const std::string& role, role_kind kind);

/// A specialist the mayor may hand subtasks to.
struct specialist_info {
  std::string name;        ///< the name to put in `[specialist: name]`
  std::string description; ///< what it is for ("" = none given)
};

/// The configured specialists, by name.
std::vector<specialist_info> specialists_of(const config::settings& s);

/// Mayor: split `task` into at most `max_subtasks` (0: no cap) subtasks in the
/// format plan::parse_decomposition reads.
chat_request decompose_request(std::string_view system, std::string_view task, size_t max_subtasks,
                               const std::vector<specialist_info>& specialists);

/// Mayor: a short brief shared by the workers of `plan`.
chat_request coordinate_request(std::string_view system, std::string_view task,
                                const plan::decomposition& plan);

/// Mayor: one answer from the workers' results, in order, failures marked.
chat_request synthesize_request(std::string_view system, std::string_view task,
                                const std::vector<worker_result>& results);

/// Polecat: the first turn of a subtask (brief, dependency results, file format).
chat_request execute_request(std::string_view system, const work_order& order);

/// Witness: a review ending in `SCORE: N/10` and a note.
chat_request review_request_for(std::string_view system, const review_request& r);

/// Witness: a check against each criterion ending in `SCORE: N/10`.
chat_request validate_request(std::string_view system, const validation_request& r);

/// Refinery: polish, or revise to address `r.feedback` when it is set.
chat_request refine_request_for(std::string_view system, const refine_request& r);

/// The witness's verdict read from its answer: the score (plan::parse_score)
/// and the note (plan::review_note). No readable score is an
/// `errc::invalid_input` failure quoting the answer: never a pass.
result<verdict> read_verdict(std::string_view answer);

/// A request of the system prompt followed by `user` (shared by the builders).
chat_request make_request(std::string_view system, std::string user);

} // namespace et::roles
