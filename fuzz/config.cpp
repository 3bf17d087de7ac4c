// Fuzz target: the config loader (et/config: YAML, env expansion, validation) on arbitrary
// text. Invariants: it never throws; it is deterministic; no diagnostic depends on the value of
// an environment variable holding a key (an API key read from $X_API_KEY stays secret even
// when the config around it is wrong).
//
// The last is checked by loading with two secrets of one shape and comparing: a search of the
// diagnostics for the secret also found it where the file's own text spells it out across an
// expansion ("${PORT:-9s}k-ENVSECRET" -> "9sk-ENVSECRET", a CI run of 2026-12-05), no leak.
// Where the file spells a secret that way and the loader also looked one up, the loader hides
// the spelled text too (it cannot tell them apart), so the two loads differ there by design
// (CI, 2026-12-05 again): a differing diagnostic passes when it is the same text once every
// secret and every ${NAME} reference is one mark, and neither load shows its own secret. A
// leak of part of a secret still differs after that.

#include <cctype>
#include <optional>
#include <string>

#include "et/config/loader.hpp"
#include "fuzz_support.hpp"

namespace {

// The secrets' characters differ at every place but the '-'; their length and kinds agree,
// so a check of a value's form cannot tell them apart.
constexpr std::string_view env_secret = "sk-ENVSECRET";
constexpr std::string_view other_secret = "tl-FOWTFDSFU";
static_assert(env_secret.size() == other_secret.size());

// The length of the reference `${NAME}` at `at` in `text` (what the loader writes in place of a
// value it hides), 0 when there is none.
size_t reference_at(const std::string& text, size_t at) {
  if (text.compare(at, 2, "${") != 0)
    return 0;
  size_t end = at + 2;
  while (end < text.size()
         && (std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '_'))
    ++end;
  return end > at + 2 && end < text.size() && text[end] == '}' ? end + 1 - at : 0;
}

// `text` with each secret and each ${NAME} reference as one mark.
std::string marked(const std::string& text) {
  std::string out;
  for (size_t at = 0; at < text.size();) {
    if (text.compare(at, env_secret.size(), env_secret) == 0
        || text.compare(at, other_secret.size(), other_secret) == 0) {
      out += '#';
      at += env_secret.size();
    } else if (auto n = reference_at(text, at); n > 0) {
      out += '#';
      at += n;
    } else {
      out += text[at++];
    }
  }
  return out;
}

et::config::env_lookup lookup_with(std::string_view secret) {
  return [secret](const std::string& name) -> std::optional<std::string> {
    if (name.find("KEY") != std::string::npos || name.find("TOKEN") != std::string::npos)
      return std::string{secret};
    if (name == "HOME")
      return std::string{"/home/fuzz"};
    if (name == "EMPTY")
      return std::string{};
    return std::nullopt;
  };
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto yaml = et::fuzz::bytes(data, size);
  auto a = et::config::check_string(yaml, "fuzz.yaml", lookup_with(env_secret));
  auto b = et::config::check_string(yaml, "fuzz.yaml", lookup_with(env_secret));
  auto other = et::config::check_string(yaml, "fuzz.yaml", lookup_with(other_secret));
  // A file that spells out a secret itself is scrubbed where the loader knows the secret, so
  // its diagnostics differ by design: compared only when neither secret is in the text.
  bool literal = yaml.find(env_secret) != std::string_view::npos
                 || yaml.find(other_secret) != std::string_view::npos;
  FUZZ_CHECK(a.diagnostics.size() == b.diagnostics.size(), "loading is not deterministic");
  FUZZ_CHECK(literal || a.diagnostics.size() == other.diagnostics.size(),
             "a secret's value changed the diagnostics");
  for (size_t i = 0; i < a.diagnostics.size(); ++i) {
    auto text = et::config::to_string(a.diagnostics[i]);
    FUZZ_CHECK(text == et::config::to_string(b.diagnostics[i]), "loading is not deterministic");
    if (literal)
      continue;
    auto other_text = et::config::to_string(other.diagnostics[i]);
    if (text == other_text)
      continue;
    FUZZ_CHECK(marked(text) == marked(other_text) && text.find(env_secret) == std::string::npos
                   && other_text.find(other_secret) == std::string::npos,
               "an environment secret leaked into a diagnostic");
  }
  return 0;
}
