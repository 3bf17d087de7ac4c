#pragma once
/// The turns of OpenAI requests: Chat Completions messages, content parts in the spelling of
/// Chat Completions or of the Responses API (token counting), and the user turn that carries
/// the images and documents of tool results, which OpenAI's tool messages cannot hold. Included by
/// openai.cpp and openai_count.cpp only.

#include <boost/json.hpp>
#include <vector>

#include "et/llm/chat.hpp"

namespace et::wire::detail {

/// Which API's spelling of content parts.
enum class part_style {
  chat,      ///< Chat Completions: "text", "image_url" and "file" parts
  responses, ///< Responses API: "input_text", "input_image" and "input_file" parts
};

/// The text, images and documents of `m` as content parts, in the client's order.
boost::json::array openai_parts(const message& m, part_style style);

/// Collects the images and documents of a run of tool turns for the one user turn that follows
/// the run: a
/// tool message takes text only, and nothing may stand between the tool messages of one round
/// and the assistant turn that called them.
class tool_images {
public:
  /// Collects parts of `style`.
  explicit tool_images(part_style style) : style_(style) {}
  /// Notes the images of `m` when it is a tool turn that has any, after a line naming its call.
  void add(const message& m);
  /// Appends to `out` the user turn carrying the images noted since the last flush, if any.
  void flush(boost::json::array& out);

private:
  part_style style_;
  boost::json::array parts_;
};

/// The Chat Completions messages of `turns`: tool calls and their results by portable id, a
/// user turn with images as content parts instead of its text, and the images of each run of
/// tool turns in a user turn right after the run.
boost::json::array openai_messages(const std::vector<message>& turns);

} // namespace et::wire::detail
