// Fuzz target: environment references in config strings (et/config/env: $VAR, ${VAR},
// ${VAR:-default}, "$$"). Invariants: deterministic; text without '$' comes back unchanged;
// escaping every '$' as "$$" round-trips to the input with no reference seen; an unset
// variable is listed only when the text names it.

#include <optional>
#include <string>

#include "et/config/env.hpp"
#include "fuzz_support.hpp"

namespace {

std::optional<std::string> lookup(const std::string& name) {
  if (name == "SET")
    return std::string{"value"};
  if (name == "EMPTY")
    return std::string{};
  if (name == "DOLLAR")
    return std::string{"$HOME"}; // a value is never expanded again
  return std::nullopt;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = et::fuzz::bytes(data, size);
  auto a = et::config::expand_env(text, lookup);
  auto b = et::config::expand_env(text, lookup);
  FUZZ_CHECK(a.has_value() == b.has_value(), "expansion is not deterministic");
  if (a) {
    FUZZ_CHECK(a->text == b->text && a->unset == b->unset, "expansion is not deterministic");
    for (const auto& name : a->unset)
      FUZZ_CHECK(!name.empty() && text.find(name) != std::string_view::npos,
                 "an unset variable the text does not name");
    if (text.find('$') == std::string_view::npos)
      FUZZ_CHECK(a->text == text && !a->had_reference, "text without '$' changed");
  }
  std::string escaped;
  for (char c : text) {
    escaped += c;
    if (c == '$')
      escaped += '$';
  }
  auto round = et::config::expand_env(escaped, lookup);
  FUZZ_CHECK(round.has_value(), "escaped text failed to expand");
  FUZZ_CHECK(round->text == text, "\"$$\" escaping does not round-trip");
  FUZZ_CHECK(round->unset.empty(), "escaped text named a variable");
  return 0;
}
