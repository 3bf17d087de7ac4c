#pragma once
/// Bridges et::failure and caf::error, so typed errors cross actor and node
/// boundaries as values under CAF's error category "et".

#include <string>

#include "caf/atom.hpp"
#include "caf/error.hpp"
#include "caf/fwd.hpp"
#include "et/llm/errc.hpp"

namespace et::actors {

/// The CAF error category of et::errc.
constexpr caf::atom_value error_category = caf::atom("et");

/// A caf::error carrying the failure's code, message, retry delay, status and its unsent and
/// billed flags.
caf::error to_caf(const failure& f);

/// The failure inside a caf::error; CAF's own errors map to their nearest et
/// class (a request timeout is errc::timeout, a dead receiver provider_down...).
failure from_caf(const caf::error& e);

/// Renders an error of category "et" for caf::actor_system::render.
std::string render_error(uint8_t code, caf::atom_value category, const caf::message& context);

} // namespace et::actors

namespace et {
/// Lets an et::errc be used wherever a caf::error is expected.
caf::error make_error(errc code);
} // namespace et
