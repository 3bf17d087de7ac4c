#pragma once
/// What the gateway request suites ask of a decoding: the field a refusal names, its code.

#include <string>

#include "et/gateway/request.hpp"

namespace et::gateway::test {

/// The field a refusal names, or "ok" when `r` succeeded.
template <class T>
std::string refused(const result<T>& r) {
  return r ? std::string{"ok"} : failed_field(r.error());
}

/// The code of a refusal; errc{} when `r` succeeded.
template <class T>
errc code(const result<T>& r) {
  return r ? errc{} : r.error().code;
}

} // namespace et::gateway::test
