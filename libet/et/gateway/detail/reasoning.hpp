#pragma once
/// What a Responses reasoning item carries from one turn to the next. et seals the model's
/// signed thinking (Anthropic's thinking and redacted_thinking blocks) into the item's
/// encrypted_content, so that a Responses client (Codex) that sends the item back gives a Claude
/// model its signed turn again and a tool loop goes on thinking. The seal is an encoding, not
/// encryption: the thoughts are the client's own conversation, and the upstream checks every
/// signature.

#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/gateway/request.hpp"
#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::gateway::detail {

/// What begins every encrypted_content et makes; base64 of a JSON array follows.
inline constexpr std::string_view sealed_prefix = "et.thoughts.1:";

/// The most thoughts one sealed item, or one turn, may hold: as many as an upstream answer may
/// carry (wire/detail/anthropic_thinking.hpp's max_thoughts).
inline constexpr std::size_t max_sealed_thoughts = 1024;

/// `thoughts` sealed for an encrypted_content.
std::string seal_thoughts(const std::vector<thought>& thoughts);

/// The thoughts sealed in `content`, an item's encrypted_content named `field`: nullopt when it
/// is not et's (OpenAI's own reasoning, which no upstream et speaks to takes back); invalid_input
/// when it is et's and not well formed, or holds more than max_sealed_thoughts.
result<std::optional<std::vector<thought>>> unseal_thoughts(std::string_view content,
                                                            const std::string& field);

/// The thoughts of a reasoning input item (named `field`) that et sealed into its
/// encrypted_content, for the assistant turn that follows it; none when the content is absent
/// or not et's. Its summary is what the client was shown, not what the model needs back.
result<std::vector<thought>> reasoning_input(const boost::json::object& item,
                                             const std::string& field, const limits& bounds);

/// Thinking read from reasoning items, waiting for the assistant turn they come before. Bounded
/// per turn (max_sealed_thoughts) and per conversation (two per message of its bound): a sealed
/// thought of twenty bytes is a hundred in memory.
class waiting_thinking {
public:
  /// For a conversation within `bounds`.
  explicit waiting_thinking(const limits& bounds) : max_total_(2 * bounds.max_messages) {}
  /// Holds `thoughts` (read from the item named `field`) for the next assistant turn.
  result<void> add(std::vector<thought> thoughts, const std::string& field);
  /// Gives what waits to the last of `turns` when it is the model's (the item named `field`
  /// made it); thinking before any other turn has none to go with and is dropped.
  result<void> give(std::vector<message>& turns, const std::string& field);

private:
  std::vector<thought> waiting_;
  std::size_t total_ = 0;
  std::size_t max_total_;
};

/// The signed thoughts of a streamed answer, assembled from its pieces as the upstream's blocks
/// ended: thinking text and then its signature, or a redacted block. Unsigned thinking (a
/// server that does not sign) is not kept: nothing could send it back.
class thought_collector {
public:
  /// Takes what piece `c` adds.
  void add(const chunk& c);
  /// The thoughts ended since the last take, the one being signed included.
  std::vector<thought> take();

private:
  void end(); ///< the block being read is over
  std::string text_;
  std::string signature_;
  std::vector<thought> done_;
};

} // namespace et::gateway::detail
