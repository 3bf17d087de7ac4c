#pragma once
/// TLS material of http::server (the gateway's HTTPS): the certificate chain
/// and key files, checked before the server starts so a bad file is named in
/// one line and the key's content never appears anywhere.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "et/util/result.hpp"

namespace et::http {

/// The PEM files a TLS server presents.
struct server_tls_files {
  std::string certificate; ///< the certificate, then any intermediates (leaf first)
  std::string key;         ///< its private key, unencrypted PEM
};

/// What names the files in messages (the command line's flags, say).
struct server_tls_names {
  std::string certificate = "TLS certificate"; ///< e.g. "--tls-cert"
  std::string key = "TLS key";                 ///< e.g. "--tls-key"
};

/// Checks `files` as a server start needs them: both are regular readable
/// files; the chain parses; the key parses without a passphrase and matches
/// the certificate; the key file is not readable by every user (refused) and
/// preferably not by the group (a warning: some distributions share keys with
/// a group such as ssl-cert). Returns the warnings, or errc::invalid_config
/// whose one-line message names the flag and the file, never the key's bytes.
result<std::vector<std::string>> check_server_tls(const server_tls_files& files,
                                                  const server_tls_names& names = {});

} // namespace et::http
