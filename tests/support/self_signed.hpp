#pragma once
/// A self-signed TLS identity made in process with the OpenSSL API, and a
/// temporary file to hand its certificate to a client as a CA file.

#include <string>
#include <string_view>

namespace et::test {

/// A certificate and its private key, both PEM.
struct tls_identity {
  std::string cert_pem; ///< self-signed, CA:TRUE, valid from an hour ago for 30 days
  std::string key_pem;  ///< P-256 key, unencrypted
};

/// A certificate for `common_name` with the given subjectAltName (OpenSSL
/// syntax), signed by its own key. Throws std::runtime_error on failure.
tls_identity make_self_signed(const std::string& common_name = "localhost",
                              const std::string& alt_names = "DNS:localhost,IP:127.0.0.1");

/// A file under /tmp holding some text, removed when this object dies.
class temp_file {
public:
  /// Writes `contents` to a fresh file. Throws std::runtime_error on failure.
  explicit temp_file(std::string_view contents);
  /// Removes the file.
  ~temp_file();
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;

  /// The file's absolute path.
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

} // namespace et::test
