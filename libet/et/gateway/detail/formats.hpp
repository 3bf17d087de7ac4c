#pragma once
/// The shape a client asks its answer to take, decoded into et's answer_format: OpenAI's
/// response_format and Anthropic's output_config. Included by .cpp files only.

#include "et/gateway/detail/fields.hpp"

namespace et::gateway::detail {

/// OpenAI's response_format: {"type": "text" | "json_object" | "json_schema", "json_schema":
/// {"name", "schema", "strict", "description"}}; null is text.
result<answer_format> openai_response_format(const json::value& v, const limits& bounds);

/// The Responses API's text: {"format": {"type": "text" | "json_object" | "json_schema", with
/// a json_schema's name, schema, strict and description beside its type}, "verbosity": "low" |
/// "medium" | "high"} (the verbosity is checked and has no effect); null is text.
result<answer_format> responses_text(const json::value& v, const limits& bounds);

/// Anthropic's output_config: {"format": {"type": "json_schema", "schema": {...}}, "effort":
/// "low" | "medium" | "high" | "max"}; the effort is checked here and kept by the caller
/// (chat_request::thinking); other members are unsupported.
result<answer_format> anthropic_output_config(const json::value& v, const limits& bounds);

} // namespace et::gateway::detail
