#pragma once
/// The open gateway's first check at the door: web pages (an Origin header, or a
/// Host that is not a loopback name) are refused before anything else.

#include <string>

#include "et/http/server.hpp"

namespace et::app {

/// Why `in` comes from a web page and is refused, or "" when it does not.
std::string browser_refusal(const http::incoming& in);

} // namespace et::app
