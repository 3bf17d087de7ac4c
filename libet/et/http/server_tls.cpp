#include "et/http/server_tls.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

namespace et::http {

namespace {

struct key_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct bio_free {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct ctx_free {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};

failure bad(const std::string& name, const std::string& file, const std::string& why) {
  return make_failure(errc::invalid_config, name + " " + file + ": " + why);
}

// OpenSSL's reason for the last failure (e.g. "no start line"); its queue is
// emptied so the next check starts clean. Reasons never quote the file's bytes.
std::string openssl_reason() {
  unsigned long last = 0;
  while (auto e = ERR_get_error())
    last = e;
  if (last == 0)
    return "not understood";
  const char* reason = ERR_reason_error_string(last);
  return reason ? reason : "not understood";
}

// A passphrase-protected key must fail, not prompt on the terminal.
int no_passphrase(char*, int, int, void*) {
  return 0;
}

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Exists, is a regular file, and this process may read it.
std::optional<std::string> unreadable(const std::string& file, struct stat& st) {
  if (file.empty())
    return "no file given";
  if (::stat(file.c_str(), &st) != 0)
    return std::string{"cannot read it: "} + std::strerror(errno);
  if (!S_ISREG(st.st_mode))
    return std::string{"not a regular file"};
  if (::access(file.c_str(), R_OK) != 0)
    return std::string{"cannot read it: "} + std::strerror(errno);
  return std::nullopt;
}

} // namespace

result<std::vector<std::string>> check_server_tls(const server_tls_files& files,
                                                  const server_tls_names& names) {
  std::vector<std::string> warnings;
  struct stat st {};
  if (auto why = unreadable(files.certificate, st))
    return bad(names.certificate, files.certificate, *why);
  if (auto why = unreadable(files.key, st))
    return bad(names.key, files.key, *why);
  if (st.st_mode & S_IROTH)
    return bad(names.key, files.key,
               "readable by every user (mode " + octal(st.st_mode) + "): chmod 600 " + files.key);
  if (st.st_mode & S_IRGRP)
    warnings.push_back(names.key + " " + files.key + " is readable by its group (mode "
                       + octal(st.st_mode) + "); chmod 600 unless that group must read it");
  std::unique_ptr<SSL_CTX, ctx_free> ctx{SSL_CTX_new(TLS_server_method())};
  if (!ctx)
    return make_failure(errc::io_error, "cannot make a TLS context: " + openssl_reason());
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), files.certificate.c_str()) != 1)
    return bad(names.certificate, files.certificate,
               "not a PEM certificate chain (" + openssl_reason() + ")");
  std::unique_ptr<EVP_PKEY, key_free> key;
  if (std::unique_ptr<BIO, bio_free> in{BIO_new_file(files.key.c_str(), "r")})
    key.reset(PEM_read_bio_PrivateKey(in.get(), nullptr, no_passphrase, nullptr));
  if (!key)
    return bad(names.key, files.key,
               "not an unencrypted PEM private key (" + openssl_reason()
                   + "; a key with a passphrase is not supported)");
  if (SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1
      || SSL_CTX_check_private_key(ctx.get()) != 1)
    return bad(names.key, files.key,
               "does not match the certificate in " + files.certificate + " (" + openssl_reason()
                   + ")");
  return warnings;
}

} // namespace et::http
