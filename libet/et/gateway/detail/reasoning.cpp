#include "et/gateway/detail/reasoning.hpp"

#include <boost/json.hpp>
#include <utility>

#include "et/gateway/detail/fields.hpp"
#include "et/gateway/detail/render.hpp"
#include "et/gateway/detail/tools.hpp"
#include "et/util/encode.hpp"
#include "et/util/json_text.hpp"

namespace et::gateway::detail {

// The seal holds Anthropic's own blocks (thinking_block_array), read back as a client's
// thinking_blocks are, so one shape of a thinking block serves every way in and out.
std::string seal_thoughts(const std::vector<thought>& thoughts) {
  return std::string{sealed_prefix} + base64(json_text(thinking_block_array(thoughts)));
}

result<std::optional<std::vector<thought>>> unseal_thoughts(std::string_view content,
                                                            const std::string& field) {
  if (!content.starts_with(sealed_prefix))
    return std::optional<std::vector<thought>>{};
  content.remove_prefix(sealed_prefix.size());
  std::string text;
  if (!well_formed_base64(content) || !base64_decode_into(content, text))
    return bad_field(field, "not thinking sealed by et (not base64)");
  auto parsed = parse_bounded(text, 4, field);
  if (!parsed || !parsed->value().is_array())
    return bad_field(field, "not thinking sealed by et (not a JSON array)");
  const auto& v = parsed->value();
  // The content is bounded already: so is every text within it.
  auto thoughts = thinking_blocks(v, "thoughts", limits{});
  if (!thoughts)
    return bad_field(field, "not thinking sealed by et: " + thoughts.error().message);
  if (thoughts->size() != v.get_array().size()) // et seals signed and redacted blocks only
    return bad_field(field, "not thinking sealed by et: an unsigned thought");
  return std::optional<std::vector<thought>>{std::move(*thoughts)};
}

result<std::vector<thought>> reasoning_input(const json::object& item, const std::string& field,
                                             const limits& bounds) {
  if (auto ok = check_members(item, field,
                              {"type", "id", "summary", "content", "encrypted_content", "status"});
      !ok)
    return ok.error();
  const auto* e = item.if_contains("encrypted_content");
  if (e == nullptr || e->is_null())
    return std::vector<thought>{};
  auto content = string_of(*e, field + ".encrypted_content", bounds.max_string_bytes);
  if (!content)
    return std::move(content).error();
  auto thoughts = unseal_thoughts(*content, field + ".encrypted_content");
  if (!thoughts)
    return std::move(thoughts).error();
  return std::move(*thoughts).value_or(std::vector<thought>{});
}

result<void> waiting_thinking::add(std::vector<thought> thoughts, const std::string& field) {
  total_ += thoughts.size();
  if (total_ > max_total_)
    return bad_field(field,
                     "more than " + std::to_string(max_total_) + " thoughts in the conversation");
  for (auto& t : thoughts)
    waiting_.push_back(std::move(t));
  return {};
}

result<void> waiting_thinking::give(std::vector<message>& turns, const std::string& field) {
  if (!turns.empty() && turns.back().who == role::assistant) {
    auto& thoughts = turns.back().thoughts;
    if (thoughts.size() + waiting_.size() > max_sealed_thoughts)
      return bad_field(field, "more than " + std::to_string(max_sealed_thoughts)
                                  + " thoughts in one turn");
    for (auto& t : waiting_)
      thoughts.push_back(std::move(t));
  }
  waiting_.clear();
  return {};
}

void thought_collector::add(const chunk& c) {
  if (!c.reasoning.empty()) {
    if (!signature_.empty()) // a signed block is over: this text begins the next
      end();
    text_ += c.reasoning;
  }
  signature_ += c.signature; // a signature may come in parts
  if (!c.redacted.empty()) {
    end();
    done_.push_back(thought{.redacted = c.redacted});
  }
  if (!c.text.empty())
    end();
}

void thought_collector::end() {
  if (!signature_.empty())
    done_.push_back(thought{.text = std::move(text_), .signature = std::move(signature_)});
  text_.clear();
  signature_.clear();
}

std::vector<thought> thought_collector::take() {
  end();
  return std::exchange(done_, {});
}

} // namespace et::gateway::detail
