#pragma once
/// Where et's upstreams live, kept from those who only use et. A connection error names the
/// host and port it could not reach ("cannot connect to 10.0.0.5:8000"); a gateway's client,
/// or a node's caller, learns which deployment failed (its provider's or node's name), never
/// the addresses behind it. The operator's log keeps them.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "et/config/settings.hpp"

namespace et::config {

/// A text a message may hold and what is shown instead.
using place = std::pair<std::string, std::string>;

/// Every provider's base URL and every node's address as "host:port" (shown as
/// "<provider NAME>", "<node NAME>"), and the host alone where it cannot be mistaken for a
/// word or a name (it has a dot or a colon, and no provider, node, alias or model is called
/// so: "<host of provider NAME>"). A place two upstreams share is shown as "<an upstream>".
/// Longest text first.
std::vector<place> upstream_places(const settings& s);

/// `message` with each place of `places` replaced where it stands as a whole name (not inside
/// a longer host or number: 10.0.0.5 is not hidden in 10.0.0.50), in one pass.
std::string hide_places(std::string_view message, const std::vector<place>& places);

} // namespace et::config
