#define CAF_SUITE libet.routing.node_tls
#include "caf/test/unit_test.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>

#include "et/routing/node_tls.hpp"
#include "temp_dir.hpp"

// `et serve --init-tls`: the CA and the two certificates it signs must verify
// for their purposes (node as TLS server and client, caller as client), keys
// must be private, and nothing is ever overwritten.

using namespace et;
namespace fs = std::filesystem;

namespace {

// An empty private folder for init_node_tls, removed at the end.
struct temp_dir {
  et::test::scratch_dir scratch{"node-tls"};
  fs::path path = scratch.dir;
};

struct x509_free {
  void operator()(X509* x) const { X509_free(x); }
};
using cert_ptr = std::unique_ptr<X509, x509_free>;

cert_ptr read_cert(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f)
    return nullptr;
  cert_ptr out{PEM_read_X509(f, nullptr, nullptr, nullptr)};
  std::fclose(f);
  return out;
}

// Whether `leaf` verifies against `ca` for `purpose` (X509_PURPOSE_SSL_SERVER/CLIENT).
bool verifies(X509* ca, X509* leaf, int purpose) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

} // namespace

CAF_TEST(init tls makes a ca a node and a client certificate that verify for their purposes) {
  temp_dir dir;
  auto files = routing::init_node_tls(dir.path / "." / "tls", "gpu-box");
  if (!files)
    CAF_FAIL(files.error().message);
  auto ca = read_cert(files->ca_cert);
  auto node = read_cert(files->node_cert);
  auto client = read_cert(files->client_cert);
  CAF_REQUIRE(ca && node && client);
  CAF_CHECK(verifies(ca.get(), node.get(), X509_PURPOSE_SSL_SERVER));
  CAF_CHECK(verifies(ca.get(), node.get(), X509_PURPOSE_SSL_CLIENT)); // it may call other nodes
  CAF_CHECK(verifies(ca.get(), client.get(), X509_PURPOSE_SSL_CLIENT));
  CAF_CHECK(!verifies(ca.get(), client.get(), X509_PURPOSE_SSL_SERVER));
  // The CA signed them, not themselves: another CA does not accept them.
  temp_dir other;
  auto stranger = routing::init_node_tls(other.path, "gpu-box");
  CAF_REQUIRE(stranger);
  auto other_ca = read_cert(stranger->ca_cert);
  CAF_CHECK(!verifies(other_ca.get(), node.get(), X509_PURPOSE_SSL_SERVER));
  // The paths it prints are plain absolute ones.
  CAF_CHECK_EQUAL(files->ca_cert, (dir.path / "tls" / "ca.pem").string());
  // Keys are private to their owner, as is the directory.
  CAF_CHECK_EQUAL(mode_of(files->ca_key), 0600u);
  CAF_CHECK_EQUAL(mode_of(files->node_key), 0600u);
  CAF_CHECK_EQUAL(mode_of(files->client_key), 0600u);
  CAF_CHECK_EQUAL(mode_of((dir.path / "tls").string()), 0700u);
  // The printed configuration names the files.
  auto text = routing::node_tls_config(*files, "gpu-box", "10.0.0.5:7700");
  CAF_CHECK(text.find("  tls: {certificate: \"" + files->node_cert + "\", key: \"" + files->node_key
                      + "\", ca_file: \"" + files->ca_cert + "\"}\n")
            != std::string::npos);
  CAF_CHECK(text.find("  gpu-box: {address: \"10.0.0.5:7700\", tls: {certificate: \""
                      + files->client_cert + "\"")
            != std::string::npos);
}

CAF_TEST(init tls never overwrites existing material) {
  temp_dir dir;
  CAF_REQUIRE(routing::init_node_tls(dir.path, "n"));
  auto before = read_cert((dir.path / "ca.pem").string());
  auto again = routing::init_node_tls(dir.path, "n");
  CAF_REQUIRE(!again);
  CAF_CHECK_EQUAL(again.error().code, errc::io_error);
  CAF_CHECK(again.error().message.find("ca.pem exists already") != std::string::npos);
  auto after = read_cert((dir.path / "ca.pem").string());
  CAF_CHECK_EQUAL(X509_cmp(before.get(), after.get()), 0);
}
