#pragma once
/// Turning provider settings into provider actors: a remote provider for a
/// node ("@name"), the in-process mock for `type: mock`, an HTTP provider
/// actor for everything else. HTTP clients are
/// made once per provider (each has its own TLS options and keep-alive pool)
/// and mock engines once per provider (so a restarted mock keeps counting).

#include <memory>

#include "et/actors/router.hpp"
#include "et/http/runtime.hpp"

namespace et::actors {

/// A factory for spawn_router and for commands that talk to providers
/// directly. `runtime` runs the HTTP I/O and must outlive every actor made.
provider_factory make_provider_factory(std::shared_ptr<http::runtime> runtime,
                                       std::shared_ptr<const config::settings> settings);

} // namespace et::actors
