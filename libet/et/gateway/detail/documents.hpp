#pragma once
/// Documents in client requests, the three ways clients write them: OpenAI chat's `file`
/// parts, the Responses API's `input_file` parts and Anthropic's `document` blocks. A PDF is
/// its bytes (base64, checked as images are) or a link the upstream fetches, with the client's
/// file name or title; it travels where images do (chat.hpp's image). Anthropic's text
/// documents become text. Files uploaded before (a file_id) are unsupported: this gateway
/// stores no files. Included by .cpp files only.

#include <boost/json.hpp>
#include <string>

#include "et/gateway/request.hpp"
#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::gateway::detail {

/// OpenAI chat: {"type":"file","file":{"file_data": a data URL or base64,"filename"}}, into
/// `turn`.
result<void> openai_document(const boost::json::object& part, const std::string& field,
                             const limits& bounds, message& turn);

/// Responses: {"type":"input_file","file_data": a data URL or base64 | "file_url","filename"},
/// into `turn`.
result<void> responses_document(const boost::json::object& part, const std::string& field,
                                const limits& bounds, message& turn);

/// Anthropic: {"type":"document","source":...,"title"}, into `turn`. A PDF (a base64 or url
/// source) is an attachment. A text document (a text source of text/plain, or a content source
/// of text and image blocks) is text in the turn, laid out as Anthropic's prompting guide lays
/// out documents (<document>, its title as <source>, <document_content>): every upstream reads
/// it that way, and et relays no citations. `context` goes with it between <document_context>
/// tags (inside <document> for text, right after a file). `citations` and `cache_control` have
/// no effect; file sources are unsupported.
result<void> anthropic_document(const boost::json::object& part, const std::string& field,
                                const limits& bounds, message& turn);

} // namespace et::gateway::detail
