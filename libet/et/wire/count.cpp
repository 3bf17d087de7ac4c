// Token-count answers (Anthropic's count_tokens, Gemini's countTokens): one number, untrusted
// like every upstream count.

#include <boost/json.hpp>

#include "et/wire/detail/common.hpp"

namespace et::wire::detail {

result<int64_t> read_token_count(std::string_view body, std::string_view what, std::string_view key,
                                 std::optional<int64_t> absent) {
  auto parsed = parse_object(body, what);
  if (!parsed)
    return parsed.error();
  const auto* v = parsed->if_contains(boost::json::string_view{key.data(), key.size()});
  if (v == nullptr || v->is_null()) {
    if (absent)
      return *absent;
    return make_failure(errc::invalid_input,
                        "malformed " + std::string{what} + ": no \"" + std::string{key} + "\"");
  }
  count_reader count{what};
  auto n = count(*parsed, key);
  if (auto ok = count.status(); !ok)
    return ok.error();
  return n;
}

} // namespace et::wire::detail
