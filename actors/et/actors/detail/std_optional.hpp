#pragma once
/// CAF 0.17 knows caf::optional but not std::optional: this overload lets
/// messages carry std::optional fields (serialized as a flag plus the value).
/// It lives in namespace caf because CAF's inspectors find it by ADL on their
/// own types; the using-declaration makes deep_to_string print it too.

#include <optional>

#include "caf/meta/load_callback.hpp"

namespace caf {

/// Serializes, deserializes or prints a std::optional.
template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, std::optional<T>& x) {
  bool engaged = x.has_value();
  T value = engaged ? *x : T{};
  // Saving reads `engaged` and `value`; loading writes them and then the
  // callback moves them into x.
  return f(engaged, value, meta::load_callback([&]() -> error {
             if (engaged)
               x = std::move(value);
             else
               x.reset();
             return none;
           }));
}

namespace detail {
using caf::inspect;
} // namespace detail

} // namespace caf
