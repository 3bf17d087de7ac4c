#pragma once
/// CAF inspect overloads for libet's value types, so they travel in messages
/// and across nodes. They live here, not in libet, to keep libet free of CAF;
/// ADL still finds them because they are declared in namespace et.

#include "caf/meta/load_callback.hpp"
#include "caf/meta/type_name.hpp"
#include "et/actors/detail/std_optional.hpp"
#include "et/actors/detail/std_variant.hpp"
#include "et/cost/reports.hpp"
#include "et/cost/summary.hpp"
#include "et/llm/chat.hpp"
#include "et/llm/embed.hpp"
#include "et/llm/routed.hpp"
#include "et/plan/decompose.hpp"
#include "et/roles/messages.hpp"
#include "et/roles/pool.hpp"
#include "et/routing/node.hpp"

namespace et {

/// Inspects a tool_call.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_call& x) {
  return f(caf::meta::type_name("et.tool_call"), x.id, x.name, x.arguments);
}

/// Inspects a thought.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, thought& x) {
  return f(caf::meta::type_name("et.thought"), x.text, x.signature, x.redacted);
}

/// Inspects an image.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, image& x) {
  return f(caf::meta::type_name("et.image"), x.media_type, x.data, x.url, x.detail, x.at, x.name,
           x.pages);
}

/// Inspects a message.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, message& x) {
  return f(caf::meta::type_name("et.message"), x.who, x.content, x.tool_calls, x.tool_call_id,
           x.name, x.thoughts, x.images);
}

/// Inspects a thinking_request.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, thinking_request& x) {
  return f(caf::meta::type_name("et.thinking_request"), x.asked, x.budget_tokens, x.takes,
           x.effort);
}

/// Inspects a tool_spec.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_spec& x) {
  return f(caf::meta::type_name("et.tool_spec"), x.name, x.description, x.parameters);
}

/// Inspects a chat_request.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_request& x) {
  return f(caf::meta::type_name("et.chat_request"), x.model, x.messages, x.tools, x.max_tokens,
           x.temperature, x.top_p, x.stop, x.num_ctx, x.keep_alive, x.format, x.thinking,
           x.tool_use);
}

/// Inspects a tool_policy.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_policy& x) {
  return f(caf::meta::type_name("et.tool_policy"), x.required, x.name, x.one_at_a_time, x.no_calls);
}

/// Inspects an answer_format.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, answer_format& x) {
  return f(caf::meta::type_name("et.answer_format"), x.kind, x.name, x.schema, x.strict);
}

/// Inspects a usage.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, usage& x) {
  return f(caf::meta::type_name("et.usage"), x.prompt_tokens, x.completion_tokens,
           x.cache_read_tokens, x.cache_write_tokens, x.reasoning_tokens);
}

/// Inspects a chat_response.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_response& x) {
  return f(caf::meta::type_name("et.chat_response"), x.id, x.model, x.content, x.reasoning,
           x.thoughts, x.tool_calls, x.tokens, x.finish, x.usd);
}

/// Inspects a chunk.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chunk& x) {
  return f(caf::meta::type_name("et.chunk"), x.text, x.reasoning, x.signature, x.redacted);
}

/// Inspects a model_info.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_info& x) {
  return f(caf::meta::type_name("et.model_info"), x.id, x.display_name, x.context_window);
}

/// Inspects a role_request. `reasoning_unseen` and `text_unseen` stay on this node (nodes speak
/// protocol 4 without it): a node relays a model's thinking, and this router drops it and, when the
/// node's stream then breaks, falls back as for a connection failure.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, role_request& x) {
  return f(caf::meta::type_name("et.role_request"), x.id, x.role, x.target, x.request);
}

/// Inspects a fallback_taken.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fallback_taken& x) {
  return f(caf::meta::type_name("et.fallback_taken"), x.from, x.to, x.reason, x.http_status,
           x.skipped, x.message);
}

/// Inspects a routed_response.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, routed_response& x) {
  return f(caf::meta::type_name("et.routed_response"), x.response, x.alias, x.provider, x.model,
           x.attempts, x.fallbacks);
}

/// Inspects an embed_request.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, embed_request& x) {
  return f(caf::meta::type_name("et.embed_request"), x.model, x.inputs);
}

/// Inspects an embed_response.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, embed_response& x) {
  return f(caf::meta::type_name("et.embed_response"), x.model, x.vectors, x.tokens, x.usd);
}

/// Inspects a role_embed_request.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, role_embed_request& x) {
  return f(caf::meta::type_name("et.role_embed_request"), x.id, x.role, x.target, x.fallbacks,
           x.inputs);
}

/// Inspects a routed_embedding.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, routed_embedding& x) {
  return f(caf::meta::type_name("et.routed_embedding"), x.response, x.alias, x.provider, x.model,
           x.attempts, x.fallbacks);
}

/// Inspects a retry_notice.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, retry_notice& x) {
  return f(caf::meta::type_name("et.retry_notice"), x.id, x.role, x.from, x.reason, x.http_status,
           x.delay_ms, x.attempt);
}

/// Inspects a fallback_report.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fallback_report& x) {
  return f(caf::meta::type_name("et.fallback_report"), x.role, x.fallbacks);
}

/// Inspects a stream_chunk.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_chunk& x) {
  return f(caf::meta::type_name("et.stream_chunk"), x.id, x.seq, x.delta);
}

namespace routing {

/// Inspects a provider_health.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, provider_health& x) {
  return f(caf::meta::type_name("et.provider_health"), x.provider, x.base_url, x.ok, x.models,
           x.latency_ms, x.error);
}

/// Inspects a node_status.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_status& x) {
  return f(caf::meta::type_name("et.node_status"), x.name, x.version, x.aliases, x.in_flight,
           x.max_in_flight, x.served, x.uptime_ms, x.usd, x.tls, x.ollama);
}

} // namespace routing

namespace cost {

/// Inspects a call_record (latency travels as a count of milliseconds).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_record& x) {
  auto latency_ms = static_cast<int64_t>(x.latency.count());
  return f(caf::meta::type_name("et.call_record"), x.role, x.alias, x.provider, x.model, x.tokens,
           x.usd, x.ok, latency_ms, x.attempt, x.outcome, x.unix_ms,
           caf::meta::load_callback([&]() -> caf::error {
             x.latency = std::chrono::milliseconds{latency_ms};
             return caf::none;
           }));
}

/// Inspects a budget_query.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, budget_query& x) {
  return f(caf::meta::type_name("et.budget_query"), x.role, x.alias, x.provider, x.model,
           x.prompt_tokens, x.max_tokens);
}

/// Inspects a cost_report.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cost_report& x) {
  return f(caf::meta::type_name("et.cost_report"), x.usd, x.requests, x.failures, x.prompt_tokens,
           x.completion_tokens, x.unpriced_requests, x.table, x.estimated_usd,
           x.estimated_requests);
}

} // namespace cost

namespace plan {

/// Inspects a subtask.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subtask& x) {
  return f(caf::meta::type_name("et.subtask"), x.number, x.text, x.depends_on, x.specialist);
}

/// Inspects a decomposition.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, decomposition& x) {
  return f(caf::meta::type_name("et.decomposition"), x.summary, x.subtasks, x.proposed, x.warnings);
}

} // namespace plan

namespace roles {

/// Inspects a worker_result.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_result& x) {
  return f(caf::meta::type_name("et.worker_result"), x.number, x.subtask, x.output, x.ok, x.error);
}

/// Inspects a work_order.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, work_order& x) {
  return f(caf::meta::type_name("et.work_order"), x.task, x.subtask, x.brief, x.dependencies,
           x.write_files, x.previous, x.feedback, x.context);
}

/// Inspects a review_request.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, review_request& x) {
  return f(caf::meta::type_name("et.review_request"), x.task, x.output);
}

/// Inspects a validation_request.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, validation_request& x) {
  return f(caf::meta::type_name("et.validation_request"), x.output, x.criteria, x.task, x.parts);
}

/// Inspects a verdict.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, verdict& x) {
  return f(caf::meta::type_name("et.verdict"), x.score, x.note, x.review);
}

/// Inspects a refine_request.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, refine_request& x) {
  return f(caf::meta::type_name("et.refine_request"), x.text, x.feedback, x.task);
}

/// Inspects a member_spec.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_spec& x) {
  return f(caf::meta::type_name("et.member_spec"), x.target, x.max_concurrency);
}

/// Inspects a lane.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lane& x) {
  return f(caf::meta::type_name("et.lane"), x.name, x.role, x.members, x.reserves, x.system_prompt);
}

/// Inspects a job.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job& x) {
  return f(caf::meta::type_name("et.job"), x.subtask, x.previous, x.feedback, x.member, x.context);
}

/// Inspects a review_policy.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, review_policy& x) {
  return f(caf::meta::type_name("et.review_policy"), x.enabled, x.min_score, x.max_reasks);
}

/// Inspects an execution.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, execution& x) {
  return f(caf::meta::type_name("et.execution"), x.task, x.brief, x.jobs, x.finished, x.lanes,
           x.write_files, x.review);
}

/// Inspects a subtask_outcome.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subtask_outcome& x) {
  return f(caf::meta::type_name("et.subtask_outcome"), x.result, x.member, x.provider, x.model,
           x.tokens, x.usd, x.attempts, x.reasks, x.scored, x.score, x.note, x.cancelled,
           x.reask_failed, x.review_failed, x.fallbacks);
}

/// Inspects a progress::assigned event.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, progress::assigned& x) {
  return f(caf::meta::type_name("et.progress.assigned"), x.member, x.attempt);
}

/// Inspects a progress::streamed event.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, progress::streamed& x) {
  return f(caf::meta::type_name("et.progress.streamed"), x.bytes);
}

/// Inspects a progress::attempt_failed event.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, progress::attempt_failed& x) {
  return f(caf::meta::type_name("et.progress.attempt_failed"), x.member, x.attempt, x.error);
}

/// Inspects a progress::reviewed event.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, progress::reviewed& x) {
  return f(caf::meta::type_name("et.progress.reviewed"), x.member, x.score, x.note, x.sent_back);
}

/// Inspects a progress::finished event.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, progress::finished& x) {
  return f(caf::meta::type_name("et.progress.finished"), x.outcome);
}

/// Inspects a progress event.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, progress& x) {
  return f(caf::meta::type_name("et.progress"), x.number, x.event);
}

} // namespace roles

} // namespace et
