#include "served.hpp"

namespace et::fake {

void served_tally::add(const std::string& model, const std::string& text, int64_t prompt_tokens,
                       int64_t completion_tokens) {
  auto prompt = static_cast<uint64_t>(prompt_tokens < 0 ? 0 : prompt_tokens);
  auto completion = static_cast<uint64_t>(completion_tokens < 0 ? 0 : completion_tokens);
  std::lock_guard guard{mutex_};
  for (auto* u : {&report_.total, &report_.models[model]}) {
    ++u->answers;
    u->prompt_tokens += prompt;
    u->completion_tokens += completion;
  }
  ++report_.texts[text];
}

served_report served_tally::snapshot() const {
  std::lock_guard guard{mutex_};
  return report_;
}

} // namespace et::fake
