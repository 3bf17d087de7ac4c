#pragma once
/// PDF documents in client requests, the three ways clients write them: OpenAI chat's `file`
/// parts, the Responses API's `input_file` parts and Anthropic's `document` blocks. A document
/// is its bytes (base64 of a PDF, checked as images are) or a link the upstream fetches, with
/// the client's file name or title; it travels where images do (chat.hpp's image). Files
/// uploaded before (a file_id) are unsupported: this gateway stores no files. Included by .cpp
/// files only.

#include <boost/json.hpp>
#include <string>

#include "et/gateway/request.hpp"
#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::gateway::detail {

/// OpenAI chat: {"type":"file","file":{"file_data": a data URL or base64,"filename"}}.
result<image> openai_document(const boost::json::object& part, const std::string& field,
                              const limits& bounds);

/// Responses: {"type":"input_file","file_data": a data URL or base64 | "file_url","filename"}.
result<image> responses_document(const boost::json::object& part, const std::string& field,
                                 const limits& bounds);

/// Anthropic: {"type":"document","source":{"type":"base64","media_type":"application/pdf",
/// "data"} or {"type":"url","url"},"title"}; `citations` and `cache_control` have no effect,
/// and other sources and `context` are unsupported.
result<image> anthropic_document(const boost::json::object& part, const std::string& field,
                                 const limits& bounds);

} // namespace et::gateway::detail
