#include "et/wire/detail/common.hpp"

namespace et::wire::detail {

std::unique_ptr<codec> make_gemini(const config::provider&) {
  return nullptr;
}

} // namespace et::wire::detail
