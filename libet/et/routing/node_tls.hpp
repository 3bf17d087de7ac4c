#pragma once
/// `et serve --init-tls DIR`: the TLS material of a small fleet in one step,
/// made with the OpenSSL library (no `openssl` program needed): a CA, a
/// certificate for the node and one for its callers, all signed by that CA.

#include <filesystem>
#include <string>

#include "et/util/result.hpp"

namespace et::routing {

/// Where init_node_tls wrote each file (absolute paths).
struct node_tls_files {
  std::string ca_cert;     ///< ca.pem: the fleet's CA (every ca_file)
  std::string ca_key;      ///< ca.key: signs more certificates; keep it offline
  std::string node_cert;   ///< node.pem: the node's certificate (server.tls.certificate)
  std::string node_key;    ///< node.key: its key
  std::string client_cert; ///< client.pem: a caller's certificate (nodes.X.tls.certificate)
  std::string client_key;  ///< client.key: its key
};

/// Makes `dir` (mode 0700 when new) and writes a P-256 CA (10 years) and the
/// node and client certificates it signs (2 years; the node's names
/// `node_name`, localhost, 127.0.0.1 and ::1, and may also act as a client).
/// Keys are written with mode 0600 and no passphrase. Refuses to overwrite
/// any existing file: errc::io_error naming it.
result<node_tls_files> init_node_tls(const std::filesystem::path& dir,
                                     const std::string& node_name);

/// The configuration lines that use `files`: server.tls for the node and a
/// nodes entry (at `address`) for each caller.
std::string node_tls_config(const node_tls_files& files, const std::string& node_name,
                            const std::string& address);

} // namespace et::routing
