#include "et/gateway/detail/reasoning.hpp"

#include <boost/json.hpp>
#include <utility>

#include "et/gateway/detail/fields.hpp"
#include "et/util/encode.hpp"

namespace et::gateway::detail {

namespace {

// One sealed thought: {"thinking": text, "signature": s} or {"redacted": data}.
json::object sealed(const thought& t) {
  if (!t.redacted.empty())
    return {{"redacted", t.redacted}};
  return {{"thinking", t.text}, {"signature", t.signature}};
}

// The string member `key` of `o`, "" when absent; false when present and not a string.
bool member(const json::object& o, std::string_view key, std::string& out) {
  const auto* v = o.if_contains(key);
  if (v == nullptr)
    return true;
  if (!v->is_string())
    return false;
  out = std::string{v->get_string()};
  return true;
}

// One sealed thought read back; nullopt when it is not one.
std::optional<thought> unsealed(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  const auto& o = v.get_object();
  thought t;
  for (const auto& [key, value] : o)
    if (key != "thinking" && key != "signature" && key != "redacted")
      return std::nullopt;
  if (!member(o, "thinking", t.text) || !member(o, "signature", t.signature)
      || !member(o, "redacted", t.redacted))
    return std::nullopt;
  // Exactly one kind: signed thinking (its text may be empty), or redacted data alone.
  bool signed_thinking = !t.signature.empty() && t.redacted.empty();
  bool redacted = !t.redacted.empty() && t.signature.empty() && t.text.empty();
  if (!signed_thinking && !redacted)
    return std::nullopt;
  return t;
}

// Base64 as et writes it: whole groups of four, padding only at the end. (The shared decoder
// stops at the first '=' and takes a short last group, which would let text after it pass.)
bool whole_base64(std::string_view text) {
  if (text.size() % 4 != 0)
    return false;
  auto pad = text.find('=');
  return pad == std::string_view::npos
         || (pad + 2 >= text.size() && text.find_first_not_of('=', pad) == std::string_view::npos);
}

} // namespace

std::string seal_thoughts(const std::vector<thought>& thoughts) {
  json::array all;
  for (const auto& t : thoughts)
    all.push_back(sealed(t));
  return std::string{sealed_prefix} + base64(json::serialize(all));
}

result<std::optional<std::vector<thought>>> unseal_thoughts(std::string_view content,
                                                            const std::string& field) {
  if (!content.starts_with(sealed_prefix))
    return std::optional<std::vector<thought>>{};
  content.remove_prefix(sealed_prefix.size());
  std::string text;
  if (!whole_base64(content) || !base64_decode_into(content, text))
    return bad_field(field, "not thinking sealed by et (not base64)");
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 4;
  auto v = json::parse(text, ec, {}, opts);
  if (ec || !v.is_array())
    return bad_field(field, "not thinking sealed by et (not a JSON array)");
  const auto& all = v.get_array();
  if (all.size() > max_sealed_thoughts)
    return bad_field(field, "more than " + std::to_string(max_sealed_thoughts) + " thoughts");
  std::vector<thought> thoughts;
  thoughts.reserve(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto t = unsealed(all[i]);
    if (!t)
      return bad_field(field, "thought " + std::to_string(i)
                                  + " is neither signed thinking nor redacted thinking");
    thoughts.push_back(std::move(*t));
  }
  return std::optional<std::vector<thought>>{std::move(thoughts)};
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
