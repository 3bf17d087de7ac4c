#include "et/wire/detail/openai_reasoning.hpp"

#include "et/util/text.hpp"

namespace et::wire::detail {

bool is_reasoning_model(std::string_view model) {
  return starts_with(model, "o1") || starts_with(model, "o3") || starts_with(model, "o4")
         || starts_with(model, "gpt-5");
}

std::string_view reasoning_effort(std::string_view model, std::string_view effort) {
  if (effort.empty() || effort == "none" || model.find("-chat") != std::string_view::npos)
    return {};
  if (effort == "minimal")
    return "low";
  if (effort == "xhigh" || effort == "max")
    return "high";
  return effort;
}

} // namespace et::wire::detail
