#pragma once
/// Strict JSON field access shared by the two request decoders: every failure
/// names the field in backquotes ("`messages[2].content`: ..."), which
/// failed_field() reads back for the client's error. Included by .cpp files only.

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/gateway/request.hpp"
#include "et/util/result.hpp"

namespace et::gateway::detail {

namespace json = boost::json;

/// invalid_input: "`field`: problem".
failure bad_field(std::string_view field, std::string_view problem);

/// unsupported: "`field`: problem".
failure unsupported_field(std::string_view field, std::string_view problem);

struct parse_arena;

/// JSON parsed within a memory bound (parse_bounded), with the arena its values live in. The
/// values keep no count of that arena: read them while this lives (moving it is fine) and
/// copy out what is kept as text or into a value of its own storage (a copy of a json::value
/// shares its source's memory).
class parsed_json {
public:
  /// `value`, whose memory is `arena`'s.
  parsed_json(std::unique_ptr<parse_arena> arena, json::value value);
  parsed_json(parsed_json&&) noexcept; ///< the arena moves with its values
  /// Not assignable: the old arena would go before the values still in it.
  parsed_json& operator=(parsed_json&&) = delete;
  ~parsed_json(); ///< the values go, then their arena

  /// The parsed value.
  const json::value& value() const { return value_; }
  /// The parsed value as an object (parse_body checked that it is one).
  const json::object& object() const { return value_.get_object(); }

private:
  std::unique_ptr<parse_arena> arena_; // declared first: destroyed after the values in it
  json::value value_;
};

/// The body as a JSON object, refused past the size bound or when malformed.
result<parsed_json> parse_body(std::string_view body, const limits& bounds);

/// `text` parsed with at most `max_depth` levels and at most a few times its size in memory:
/// JSON of many small values ([0,0,...]) takes 16 bytes or more for each 2 of text, which a
/// bound on the text does not see. `what` names the text in the error.
result<parsed_json> parse_bounded(std::string_view text, int max_depth, std::string_view what);

/// The string `v` (named `field`), at most `max` bytes.
result<std::string> string_of(const json::value& v, std::string_view field, std::size_t max);

/// The string member `key` of `o` (named `parent`.`key`), at most `max` bytes; missing when
/// absent.
result<std::string> required_string(const json::object& o, std::string_view key,
                                    const std::string& parent, std::size_t max);

/// The number `v`, within [lo, hi].
result<double> number_of(const json::value& v, std::string_view field, double lo, double hi);

/// The whole number `v`, within [lo, hi].
result<int64_t> integer_of(const json::value& v, std::string_view field, int64_t lo, int64_t hi);

/// The boolean `v`.
result<bool> bool_of(const json::value& v, std::string_view field);

/// Stop sequences: a string or an array of strings, bounded.
result<std::vector<std::string>> stops_of(const json::value& v, std::string_view field,
                                          const limits& bounds);

/// Text parts joined: a string, or an array of {"type":"text","text":...}
/// objects (other members listed in `ignored` are allowed and have no effect).
/// Other part types are unsupported, naming the part.
result<std::string> text_parts(const json::value& v, std::string_view field, const limits& bounds,
                               const std::vector<std::string_view>& ignored);

/// Every member of `o` (named `field`) is one of `known`; the first other one is an unknown
/// field.
result<void> check_members(const json::object& o, const std::string& field,
                           std::initializer_list<std::string_view> known);

/// The string member `key` of `o` (named `parent`.`key`) is one of `allowed`; the refusal
/// lists them.
result<void> one_of(const json::object& o, std::string_view key, const std::string& parent,
                    std::initializer_list<std::string_view> allowed);

/// A JSON schema object (named `field`) as compact text, at most bounds.max_string_bytes; "{}"
/// when absent or null.
result<std::string> schema_text(const json::value* v, const std::string& field,
                                const limits& bounds);

/// OpenAI's completion limit (`field`: max_tokens, max_completion_tokens, max_output_tokens)
/// into `req`: null leaves it unset, else a whole number in [1, bounds.max_tokens].
result<void> token_limit(const json::value& v, std::string_view field, const limits& bounds,
                         chat_request& req);

/// OpenAI's temperature (0 to 2) or top_p (0 to 1), by `field`, into `req`; null leaves it unset.
result<void> sampling(const json::value& v, std::string_view field, chat_request& req);

/// Whether `key` is one of `names`.
template <class Names>
bool listed(const Names& names, std::string_view key) {
  for (auto n : names)
    if (n == key)
      return true;
  return false;
}

/// `name` as a std::string_view.
inline std::string_view view(json::string_view s) {
  return {s.data(), s.size()};
}

} // namespace et::gateway::detail
