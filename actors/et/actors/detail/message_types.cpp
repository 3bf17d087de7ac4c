#include "et/actors/detail/message_types.hpp"

#include "caf/actor_system_config.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"

namespace et::actors {

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<chat_request>("et.chat_request");
  cfg.add_message_type<chat_response>("et.chat_response");
  cfg.add_message_type<chunk>("et.chunk");
  cfg.add_message_type<usage>("et.usage");
  cfg.add_message_type<model_info>("et.model_info");
  cfg.add_message_type<std::vector<model_info>>("et.model_info_list");
  cfg.add_message_type<role_request>("et.role_request");
  cfg.add_message_type<routed_response>("et.routed_response");
  cfg.add_message_type<stream_chunk>("et.stream_chunk");
  cfg.add_message_type<embed_request>("et.embed_request");
  cfg.add_message_type<embed_response>("et.embed_response");
  cfg.add_message_type<role_embed_request>("et.role_embed_request");
  cfg.add_message_type<routed_embedding>("et.routed_embedding");
  cfg.add_message_type<fallback_report>("et.fallback_report");
  cfg.add_message_type<std::vector<fallback_report>>("et.fallback_report_list");
  cfg.add_message_type<retry_notice>("et.retry_notice");
  cfg.add_message_type<std::vector<retry_notice>>("et.retry_notice_list");
  cfg.add_message_type<cost::call_record>("et.call_record");
  cfg.add_message_type<cost::budget_query>("et.budget_query");
  cfg.add_message_type<cost::cost_report>("et.cost_report");
  cfg.add_message_type<plan::decomposition>("et.decomposition");
  cfg.add_message_type<roles::worker_result>("et.worker_result");
  cfg.add_message_type<std::vector<roles::worker_result>>("et.worker_result_list");
  cfg.add_message_type<roles::work_order>("et.work_order");
  cfg.add_message_type<roles::review_request>("et.review_request");
  cfg.add_message_type<roles::validation_request>("et.validation_request");
  cfg.add_message_type<roles::verdict>("et.verdict");
  cfg.add_message_type<roles::refine_request>("et.refine_request");
  cfg.add_message_type<roles::execution>("et.execution");
  cfg.add_message_type<roles::subtask_outcome>("et.subtask_outcome");
  cfg.add_message_type<std::vector<roles::subtask_outcome>>("et.subtask_outcome_list");
  cfg.add_message_type<roles::progress>("et.progress");
  cfg.add_message_type<routing::provider_health>("et.provider_health");
  cfg.add_message_type<std::vector<routing::provider_health>>("et.provider_health_list");
  cfg.add_message_type<routing::node_status>("et.node_status");
  cfg.add_error_category(error_category, render_error);
}

} // namespace et::actors
