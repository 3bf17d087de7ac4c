#include "et/gateway/detail/hints.hpp"

namespace et::gateway::detail {

namespace {

constexpr std::size_t max_edits = 64;

} // namespace

result<bool> anthropic_thinking(const json::value& v, const limits& bounds, thinking_request& out) {
  const std::string field = "thinking";
  if (!v.is_object())
    return bad_field(field, "expected an object");
  const auto& o = v.get_object();
  if (auto ok = check_members(o, field, {"type", "budget_tokens", "display"}); !ok)
    return ok.error();
  if (auto ok = one_of(o, "type", field, {"enabled", "adaptive", "disabled"}); !ok)
    return ok.error();
  if (const auto* budget = o.if_contains("budget_tokens")) {
    auto n = integer_of(*budget, field + ".budget_tokens", 0, bounds.max_tokens);
    if (!n)
      return std::move(n).error();
    if (*n > 0) // Claude Code sends 0 with adaptive: no budget of its own
      out.budget_tokens = static_cast<int32_t>(*n);
  }
  if (o.contains("display"))
    if (auto ok = one_of(o, "display", field, {"summarized", "omitted"}); !ok)
      return ok.error();
  bool on = o.at("type").as_string() != "disabled";
  out.asked = on ? thinking_request::want::on : thinking_request::want::off;
  return on;
}

result<void> anthropic_context_management(const json::value& v) {
  const std::string field = "context_management";
  if (!v.is_object())
    return bad_field(field, "expected an object");
  const auto& o = v.get_object();
  if (auto ok = check_members(o, field, {"edits"}); !ok)
    return ok.error();
  const auto* edits = o.if_contains("edits");
  if (edits == nullptr || edits->is_null())
    return {};
  if (!edits->is_array())
    return bad_field(field + ".edits", "expected an array");
  if (edits->get_array().size() > max_edits)
    return bad_field(field + ".edits", "more than " + std::to_string(max_edits) + " entries");
  for (std::size_t i = 0; i < edits->get_array().size(); ++i) {
    auto f = field + ".edits[" + std::to_string(i) + "]";
    const auto& edit = edits->get_array()[i];
    if (!edit.is_object())
      return bad_field(f, "expected an object");
    if (auto type = required_string(edit.get_object(), "type", f, 64); !type)
      return std::move(type).error();
  }
  return {};
}

} // namespace et::gateway::detail
