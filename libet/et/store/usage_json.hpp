#pragma once
/// Token counts as JSON, in the one shape journals and `et runs --json` share
/// (journal_read.cpp reads it back):
/// {"prompt_tokens", "completion_tokens", "cache_read_tokens",
/// "cache_write_tokens", "reasoning_tokens"}.

#include <boost/json/object.hpp>

#include "et/llm/chat.hpp"

namespace et::store {

/// `u` as a JSON object.
boost::json::object to_json(const usage& u);

} // namespace et::store
