#include "et/routing/node_tls.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <tuple>

namespace et::routing {

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
struct bn_free {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

using key_ptr = std::unique_ptr<EVP_PKEY, key_free>;
using cert_ptr = std::unique_ptr<X509, cert_free>;

failure tls_failure(const std::string& what) {
  return make_failure(errc::io_error, "et serve --init-tls: " + what);
}

bool add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext)
    return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A random positive 127-bit serial, as RFC 5280 recommends (unpredictable).
bool set_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    return false;
  bytes[0] &= 0x7f;
  std::unique_ptr<BIGNUM, bn_free> bn{BN_bin2bn(bytes, sizeof bytes, nullptr)};
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

struct extensions {
  std::string basic, usage, extended, alt_names;
};

// A certificate for `cn` with `key`, signed by `issuer_key` (itself when
// `issuer` is null: the CA).
result<cert_ptr> make_cert(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                           long days, const extensions& ext) {
  cert_ptr cert{X509_new()};
  if (!cert || X509_set_version(cert.get(), 2) != 1 || !set_serial(cert.get()))
    return tls_failure("cannot make the certificate for " + cn);
  // An hour back: a peer whose clock is a little behind still accepts it.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  bool ok = add_extension(cert.get(), signer, NID_basic_constraints, ext.basic)
            && add_extension(cert.get(), signer, NID_key_usage, ext.usage)
            && add_extension(cert.get(), signer, NID_subject_key_identifier, "hash")
            && add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (ok && !ext.extended.empty())
    ok = add_extension(cert.get(), signer, NID_ext_key_usage, ext.extended);
  if (ok && !ext.alt_names.empty())
    ok = add_extension(cert.get(), signer, NID_subject_alt_name, ext.alt_names);
  if (!ok || X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0)
    return tls_failure("cannot sign the certificate for " + cn);
  return cert;
}

std::string pem_of(X509* cert) {
  std::unique_ptr<BIO, bio_free> bio{BIO_new(BIO_s_mem())};
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    return {};
  char* data = nullptr;
  long size = BIO_ctrl(bio.get(), BIO_CTRL_INFO, 0, &data);
  return std::string{data, static_cast<size_t>(size)};
}

std::string pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, bio_free> bio{BIO_new(BIO_s_mem())};
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return {};
  char* data = nullptr;
  long size = BIO_ctrl(bio.get(), BIO_CTRL_INFO, 0, &data);
  return std::string{data, static_cast<size_t>(size)};
}

// Creates `path` (never over an existing file) with `mode` and writes `text`.
std::optional<failure> write_new(const std::string& path, const std::string& text, mode_t mode) {
  if (text.empty())
    return tls_failure("cannot encode " + path);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return tls_failure("cannot create " + path + " (it may exist already; nothing is overwritten)");
  auto written = ::write(fd, text.data(), text.size());
  bool ok = ::close(fd) == 0 && written == static_cast<ssize_t>(text.size());
  if (!ok)
    return tls_failure("cannot write " + path);
  return std::nullopt;
}

} // namespace

result<node_tls_files> init_node_tls(const std::filesystem::path& dir,
                                     const std::string& node_name) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return tls_failure("cannot create the directory " + dir.string() + ": " + ec.message());
    // Only the owner may list or enter it (the keys are 0600 as well).
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    if (ec)
      return tls_failure("cannot restrict " + dir.string() + ": " + ec.message());
  } else if (!std::filesystem::is_directory(dir, ec)) {
    return tls_failure(dir.string() + " is not a directory");
  }
  auto abs = std::filesystem::absolute(dir, ec).lexically_normal();
  if (ec)
    return tls_failure("cannot resolve " + dir.string());
  node_tls_files f{(abs / "ca.pem").string(),     (abs / "ca.key").string(),
                   (abs / "node.pem").string(),   (abs / "node.key").string(),
                   (abs / "client.pem").string(), (abs / "client.key").string()};
  // All or nothing: check every name before writing any.
  for (const auto* path :
       {&f.ca_cert, &f.ca_key, &f.node_cert, &f.node_key, &f.client_cert, &f.client_key})
    if (std::filesystem::exists(*path, ec))
      return tls_failure(*path + " exists already; nothing was written (use an empty directory)");
  key_ptr ca_key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  key_ptr node_key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  key_ptr client_key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  if (!ca_key || !node_key || !client_key)
    return tls_failure("cannot generate P-256 keys");
  auto ca = make_cert("et fleet CA", ca_key.get(), nullptr, ca_key.get(), 3650,
                      {"critical,CA:TRUE,pathlen:0", "critical,keyCertSign,cRLSign", "", ""});
  if (!ca)
    return ca.error();
  // The node may call other nodes with the same identity (one per process).
  auto node = make_cert(node_name, node_key.get(), ca->get(), ca_key.get(), 730,
                        {"critical,CA:FALSE", "critical,digitalSignature", "serverAuth,clientAuth",
                         "DNS:" + node_name + ",DNS:localhost,IP:127.0.0.1,IP:::1"});
  if (!node)
    return node.error();
  auto client = make_cert("et client", client_key.get(), ca->get(), ca_key.get(), 730,
                          {"critical,CA:FALSE", "critical,digitalSignature", "clientAuth", ""});
  if (!client)
    return client.error();
  for (auto [path, text, mode] :
       {std::tuple{&f.ca_cert, pem_of(ca->get()), mode_t{0644}},
        std::tuple{&f.ca_key, pem_of(ca_key.get()), mode_t{0600}},
        std::tuple{&f.node_cert, pem_of(node->get()), mode_t{0644}},
        std::tuple{&f.node_key, pem_of(node_key.get()), mode_t{0600}},
        std::tuple{&f.client_cert, pem_of(client->get()), mode_t{0644}},
        std::tuple{&f.client_key, pem_of(client_key.get()), mode_t{0600}}})
    if (auto bad = write_new(*path, text, mode))
      return *bad;
  return f;
}

std::string node_tls_config(const node_tls_files& f, const std::string& node_name,
                            const std::string& address) {
  auto tls = [&](const std::string& cert, const std::string& key) {
    return "{certificate: \"" + cert + "\", key: \"" + key + "\", ca_file: \"" + f.ca_cert + "\"}";
  };
  return "# on the node (et serve):\n"
         "server:\n"
         "  tls: "
         + tls(f.node_cert, f.node_key)
         + "\n"
           "# on each caller (copy ca.pem, client.pem and client.key there):\n"
           "nodes:\n"
           "  "
         + node_name + ": {address: \"" + address + "\", tls: " + tls(f.client_cert, f.client_key)
         + "}\n";
}

} // namespace et::routing
