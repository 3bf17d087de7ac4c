#pragma once
/// Which addresses `--fetch` may connect to. A page URL may come from a model or from a page
/// that redirects, so its host is resolved once, every address it resolves to is checked,
/// and the fetch connects to exactly the checked address (no second lookup: a DNS answer
/// that changes between check and connect cannot steer it to an internal host).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/util/result.hpp"

namespace et::context {

/// Why `address` (an IPv4 or IPv6 literal) is not a public unicast address: "loopback",
/// "private", "shared (CGNAT)", "link-local", "unique-local", "site-local", "IPv4-mapped",
/// "multicast", "unspecified", "reserved"; nullopt when it is public. A string that is not
/// an address literal is "not an address".
std::optional<std::string> address_refusal(std::string_view address);

/// True when the refusal `why` is lifted by `allow_private` (loopback, private, CGNAT,
/// link-local, unique-local, site-local, IPv4-mapped); multicast, unspecified and reserved
/// addresses are never fetched from.
bool lifted_by_allow_private(std::string_view why);

/// The addresses `host` resolves to (any spelling the system resolver accepts, e.g.
/// "2130706433" or "0x7f.1" for 127.0.0.1), as canonical literals, within `limit`.
/// Fails with errc::network (unknown host) or errc::timeout.
result<std::vector<std::string>> resolve_host(const std::string& host,
                                              std::chrono::milliseconds limit);

/// The addresses to connect to for `host`, every one checked: resolves it, refuses
/// (errc::invalid_input) when any address it resolves to is refused by the policy (with
/// `allow_private`, only multicast, unspecified and reserved are), else all of them in the
/// resolver's order. Connect to these only: never resolve the name again.
result<std::vector<std::string>> checked_addresses(const std::string& host, bool allow_private,
                                                   std::chrono::milliseconds limit);

} // namespace et::context
