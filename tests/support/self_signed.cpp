#include "self_signed.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace et::test {

namespace {

struct key_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct cert_free {
  void operator()(X509* x) const { X509_free(x); }
};
struct bio_free {
  void operator()(BIO* b) const { BIO_free(b); }
};

void require(bool ok, const char* what) {
  if (!ok)
    throw std::runtime_error(std::string{"make_self_signed: "} + what);
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  require(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// BIO_get_mem_data is a macro with a C cast; this is its expansion.
std::string drain(BIO* bio) {
  char* data = nullptr;
  long size = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data);
  return std::string{data, static_cast<std::size_t>(size)};
}

} // namespace

tls_identity make_self_signed(const std::string& common_name, const std::string& alt_names) {
  std::unique_ptr<EVP_PKEY, key_free> key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  require(key != nullptr, "key generation");
  std::unique_ptr<X509, cert_free> cert{X509_new()};
  require(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_extension(cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), NID_subject_alt_name, alt_names.c_str());
  require(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signing");
  std::unique_ptr<BIO, bio_free> cert_bio{BIO_new(BIO_s_mem())};
  std::unique_ptr<BIO, bio_free> key_bio{BIO_new(BIO_s_mem())};
  require(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "writing the certificate");
  require(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
              == 1,
          "writing the key");
  return {drain(cert_bio.get()), drain(key_bio.get())};
}

temp_file::temp_file(std::string_view contents) {
  char name[] = "/tmp/et-test-XXXXXX";
  int fd = ::mkstemp(name);
  if (fd < 0)
    throw std::runtime_error("temp_file: mkstemp failed");
  path_ = name;
  auto written = ::write(fd, contents.data(), contents.size());
  ::close(fd);
  if (written != static_cast<ssize_t>(contents.size()))
    throw std::runtime_error("temp_file: short write");
}

temp_file::~temp_file() {
  ::unlink(path_.c_str());
}

} // namespace et::test
