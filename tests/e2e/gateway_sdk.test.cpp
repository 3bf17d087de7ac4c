#define CAF_SUITE e2e.gateway_sdk
#include "caf/test/unit_test.hpp"

#include <cstdlib>

#include "gateway_fixture.hpp"

// The official `openai` and `@anthropic-ai/sdk` npm clients against
// `et serve --http` (tests/e2e/sdk/gateway_sdk.mjs): installed into the build
// folder with npm at test time, never vendored. Without node, or without a
// reachable npm registry, the suite says "gateway_sdk: skipped" and ctest
// reports it as skipped.

using namespace et::e2e;
using namespace et::e2e::gw;

namespace {

const fs::path sdk_dir = fs::path{ET_BINARY_DIR} / "gateway-sdk";

bool shell(const std::string& command) {
  return std::system(command.c_str()) == 0;
}

// The reason the SDKs cannot run here, "" when they can.
std::string missing_sdks() {
  if (!shell("node --version > /dev/null 2>&1"))
    return "node is not installed";
  if (!shell("npm --version > /dev/null 2>&1"))
    return "npm is not installed";
  auto installed = [] {
    return fs::exists(sdk_dir / "node_modules/openai/package.json")
           && fs::exists(sdk_dir / "node_modules/@anthropic-ai/sdk/package.json");
  };
  if (installed())
    return {};
  fs::create_directories(sdk_dir);
  auto log = sdk_dir / "npm-install.log";
  shell(
      "cd '" + sdk_dir.string()
      + "' && timeout 300 npm install --no-audit --no-fund --prefix . openai @anthropic-ai/sdk > '"
      + log.string() + "' 2>&1");
  return installed() ? std::string{} : "npm could not install the SDKs (see " + log.string() + ")";
}

// Runs the SDK script against the gateway (with `key` when not empty; over HTTPS with a
// self-signed certificate node is told to trust when `tls`): its output.
std::string run_sdks(fixture& f, const std::string& key, bool& ok, bool tls = false) {
  // Beside node_modules, so that the script's imports resolve there.
  fs::copy_file(fs::path{ET_SOURCE_DIR} / "tests/e2e/sdk/gateway_sdk.mjs",
                sdk_dir / "gateway_sdk.mjs", fs::copy_options::overwrite_existing);
  if (tls)
    f.serve_tls();
  else
    f.serve();
  auto out = f.dir / "sdk.out";
  auto trust = tls ? " NODE_EXTRA_CA_CERTS='" + (f.dir / "cert.pem").string() + "'" : "";
  ok =
      shell("cd '" + sdk_dir.string() + "' &&" + trust + " ET_GATEWAY=" + f.scheme + "://127.0.0.1:"
            + std::to_string(f.port) + (key.empty() ? "" : " ET_GATEWAY_KEY=" + key)
            + " timeout 120 node gateway_sdk.mjs > '" + out.string() + "' 2>&1");
  return read_file(out);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_sdk_tests, fixture)

CAF_TEST(the official OpenAI and Anthropic SDKs parse everything the gateway sends) {
  if (auto why = missing_sdks(); !why.empty()) {
    CAF_MESSAGE("gateway_sdk: skipped: " << why);
    return;
  }
  bool ok = false;
  auto text = run_sdks(*this, "", ok);
  CAF_MESSAGE("node said:\n" << text);
  CAF_CHECK(ok);
  CAF_CHECK(has(text, "ALL OK"));
  CAF_CHECK(!has(text, "FAILED"));
  CAF_CHECK(!has(text, "SECRET"));
}

CAF_TEST(both SDKs send a gateway key and read a wrong one as their AuthenticationError) {
  if (auto why = missing_sdks(); !why.empty()) {
    CAF_MESSAGE("gateway_sdk: skipped: " << why);
    return;
  }
  auto made = run_et(dir, {"keys", "create", "sdk", "--config", (dir / "et.yaml").string()});
  CAF_REQUIRE_EQUAL(made.code, 0);
  auto key = made.out.substr(0, made.out.find('\n'));
  bool ok = false;
  auto text = run_sdks(*this, key, ok);
  CAF_MESSAGE("node said:\n" << text);
  CAF_CHECK(ok);
  CAF_CHECK(has(text, "ok: openai wrong key (AuthenticationError 401"));
  CAF_CHECK(has(text, "ok: anthropic wrong key (AuthenticationError 401"));
  CAF_CHECK(has(text, "ALL OK"));
  CAF_CHECK(!has(text, "FAILED"));
  CAF_CHECK(!has(gateway->err(), key));
}

CAF_TEST(both SDKs work over HTTPS with the certificate in NODE_EXTRA_CA_CERTS) {
  if (auto why = missing_sdks(); !why.empty()) {
    CAF_MESSAGE("gateway_sdk: skipped: " << why);
    return;
  }
  bool ok = false;
  auto text = run_sdks(*this, "", ok, true);
  CAF_MESSAGE("node said:\n" << text);
  CAF_CHECK(has(gateway->err(), "gateway listening on https://"));
  CAF_CHECK(ok);
  CAF_CHECK(has(text, "ALL OK"));
  CAF_CHECK(!has(text, "FAILED"));
}

CAF_TEST_FIXTURE_SCOPE_END()
