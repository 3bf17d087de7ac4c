#pragma once
/// What counts as a secret of a configuration, and every spelling of it an
/// upstream may echo back. One list feeds every scrub (the HTTP provider's
/// failures, `et models`, health rows), so a new encoding is added once.

#include <string>
#include <string_view>
#include <vector>

#include "et/config/settings.hpp"

namespace et::config {

/// Whether a header named `name` carries a credential: its name contains
/// auth, key, token, secret, cookie or password (case-insensitive), as in
/// Authorization, api-key, x-api-key, X-Auth-Token.
bool names_credential(std::string_view name);

/// Appends `secret` and each form it may travel or come back in: the
/// password of a "user:password" key, the value after a scheme word
/// ("Bearer x" -> "x"), base64 (as in Basic auth), percent-encoded (as in a
/// query string), JSON-escaped and in hexadecimal (either case). Derived forms shorter than 4 bytes are
/// left out: scrubbing them would garble every message.
void add_secret_forms(std::vector<std::string>& out, std::string_view secret);

/// Every secret of `p` in every form: its API key and the values of its
/// credential-named headers. Longest first and without duplicates, so a
/// longer form is replaced before a shorter one inside it.
std::vector<std::string> secret_forms(const provider& p);

/// One line for each place a configured secret would cross the network in plain text: a
/// provider's API key or credential headers, the Qdrant key or the page reader's key, over
/// http:// to a host that is not this machine (loopback, localhost): "providers.vllm: its key
/// goes over plain http to 10.0.0.5; anyone on the network path can read it (use https)".
/// Allowed (a vLLM on a LAN is common), but worth a warning.
std::vector<std::string> plaintext_secret_warnings(const settings& s);

/// Sorts longest first and drops duplicates and empty entries.
void normalize_secrets(std::vector<std::string>& secrets);

} // namespace et::config
