#pragma once
/// CAF inspect overloads for the run's records and events (store::run_record and
/// store::run_event), so they travel in messages (and could go to a remote observer).
/// The verify messages (a command spec and a cancel flag) never leave the process: they are
/// allowed as local-only message types instead.

#include <atomic>
#include <memory>

#include "caf/allowed_unsafe_message_type.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/run/run.hpp"
#include "et/store/run_events.hpp"
#include "et/workspace/command.hpp"

namespace et::plan {

/// Inspects a criterion_result.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, criterion_result& x) {
  return f(caf::meta::type_name("et.criterion_result"), x.criterion, x.passed, x.why, x.subtasks);
}

} // namespace et::plan

namespace et::store {

/// Inspects a run_header.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_header& x) {
  return f(caf::meta::type_name("et.run_header"), x.id, x.started_ms, x.task, x.config,
           x.supervisor_role, x.worker_role, x.max_subtasks, x.output_dir, x.verify,
           x.max_iterations, x.synthesize, x.review, x.refine, x.coordinate, x.accept);
}

/// Inspects a subtask_record.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subtask_record& x) {
  return f(caf::meta::type_name("et.subtask_record"), x.number, x.text, x.depends_on, x.specialist,
           x.state, x.member, x.provider, x.model, x.output, x.error, x.tokens, x.usd, x.attempts,
           x.elapsed_ms, x.score, x.files, x.context);
}

/// Inspects a verify_record.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, verify_record& x) {
  return f(caf::meta::type_name("et.verify_record"), x.iteration, x.passed, x.exit_code,
           x.timed_out, x.output, x.blamed);
}

/// Inspects a phase_record.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, phase_record& x) {
  return f(caf::meta::type_name("et.phase_record"), x.name, x.elapsed_ms);
}

/// Inspects an acceptance_record.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, acceptance_record& x) {
  return f(caf::meta::type_name("et.acceptance_record"), x.iteration, x.results);
}

/// Inspects a run_accepted.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_accepted& x) {
  return f(caf::meta::type_name("et.run_accepted"), x.acceptance);
}

/// Inspects a fallback_record.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fallback_record& x) {
  return f(caf::meta::type_name("et.fallback_record"), x.subtask, x.role, x.taken, x.answered);
}

/// Inspects a run_record.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_record& x) {
  return f(caf::meta::type_name("et.run_record"), x.header, x.status, x.summary, x.brief,
           x.warnings, x.subtasks, x.verifications, x.acceptance, x.fallbacks, x.phases,
           x.final_output, x.tokens, x.usd, x.finished_ms, x.resumes, x.damaged_lines);
}

/// Inspects a run_noted.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_noted& x) {
  return f(caf::meta::type_name("et.run_noted"), x.line, x.warning, x.plain_only);
}

/// Inspects a run_phase_began.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_phase_began& x) {
  return f(caf::meta::type_name("et.run_phase_began"), x.name);
}

/// Inspects a run_phase_ended.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_phase_ended& x) {
  return f(caf::meta::type_name("et.run_phase_ended"), x.phase);
}

/// Inspects a run_planned.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_planned& x) {
  return f(caf::meta::type_name("et.run_planned"), x.summary, x.subtasks);
}

/// Inspects a run_briefed.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_briefed& x) {
  return f(caf::meta::type_name("et.run_briefed"), x.brief);
}

/// Inspects a run_subtask_changed.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_subtask_changed& x) {
  return f(caf::meta::type_name("et.run_subtask_changed"), x.subtask);
}

/// Inspects a run_streamed.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_streamed& x) {
  return f(caf::meta::type_name("et.run_streamed"), x.number, x.bytes);
}

/// Inspects a run_verified.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_verified& x) {
  return f(caf::meta::type_name("et.run_verified"), x.verification);
}

/// Inspects a run_fell_back.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_fell_back& x) {
  return f(caf::meta::type_name("et.run_fell_back"), x.fallback);
}

/// Inspects a run_finished.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_finished& x) {
  return f(caf::meta::type_name("et.run_finished"), x.record, x.cost_table, x.journal,
           x.interrupted);
}

} // namespace et::store

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(et::workspace::command_spec)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<std::atomic<bool>>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(et::actors::verify_report)
