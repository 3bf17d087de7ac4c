#pragma once
/// CAF 0.17 knows caf::variant but not std::variant: these overloads let
/// messages carry std::variant fields, on the wire as CAF's own variant (one
/// byte for the alternative, then its value). Like std_optional.hpp they live
/// in namespace caf, where CAF's inspectors find them by ADL on their own types.

#include <cstdint>
#include <utility>
#include <variant>

#include "caf/error.hpp"
#include "caf/meta/omittable.hpp"
#include "caf/sec.hpp"

namespace caf {

/// Reading side of a std::variant: the alternative it holds.
template <class V>
struct std_variant_reader {
  V& x; ///< the variant being saved or printed
};

/// Writing side of a std::variant: the alternative named by a tag read before it.
template <class V>
struct std_variant_writer {
  uint8_t& tag; ///< the alternative's index, already loaded
  V& x;         ///< the variant being loaded
};

/// Saves or prints the alternative a variant holds.
template <class Inspector, class... Ts>
typename Inspector::result_type inspect(Inspector& f, std_variant_reader<std::variant<Ts...>>& x) {
  return std::visit([&](auto& value) { return f(value); }, x.x);
}

/// Loads the alternative named by the tag into a default-constructed value.
template <class Inspector, class... Ts>
typename Inspector::result_type inspect(Inspector& f, std_variant_writer<std::variant<Ts...>>& x) {
  static_assert(sizeof...(Ts) < 256, "the tag is one byte");
  if (x.tag >= sizeof...(Ts))
    return make_error(sec::invalid_argument, "std::variant index out of range");
  return [&]<size_t... I>(std::index_sequence<I...>) {
    typename Inspector::result_type result;
    // Exactly one I matches the tag.
    ((x.tag == I ? (result = f(x.x.template emplace<I>()), true) : false) || ...);
    return result;
  }
  (std::index_sequence_for<Ts...>{});
}

/// Serializes or prints a std::variant.
template <class Inspector, class... Ts>
typename std::enable_if<Inspector::reads_state, typename Inspector::result_type>::type
inspect(Inspector& f, std::variant<Ts...>& x) {
  auto tag = static_cast<uint8_t>(x.index());
  std_variant_reader<std::variant<Ts...>> helper{x};
  return f(meta::omittable(), tag, helper);
}

/// Deserializes a std::variant.
template <class Inspector, class... Ts>
typename std::enable_if<Inspector::writes_state, typename Inspector::result_type>::type
inspect(Inspector& f, std::variant<Ts...>& x) {
  uint8_t tag = 0;
  std_variant_writer<std::variant<Ts...>> helper{tag, x};
  return f(meta::omittable(), tag, helper);
}

namespace detail {
using caf::inspect;
} // namespace detail

} // namespace caf
