#include "et/store/usage_json.hpp"

namespace et::store {

boost::json::object to_json(const usage& u) {
  return {{"prompt_tokens", u.prompt_tokens},
          {"completion_tokens", u.completion_tokens},
          {"cache_read_tokens", u.cache_read_tokens},
          {"cache_write_tokens", u.cache_write_tokens},
          {"reasoning_tokens", u.reasoning_tokens}};
}

} // namespace et::store
