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

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_sdk_tests, fixture)

CAF_TEST(the official OpenAI and Anthropic SDKs parse everything the gateway sends) {
  if (auto why = missing_sdks(); !why.empty()) {
    CAF_MESSAGE("gateway_sdk: skipped: " << why);
    return;
  }
  // Beside node_modules, so that the script's imports resolve there.
  fs::copy_file(fs::path{ET_SOURCE_DIR} / "tests/e2e/sdk/gateway_sdk.mjs",
                sdk_dir / "gateway_sdk.mjs", fs::copy_options::overwrite_existing);
  serve();
  auto out = dir / "sdk.out";
  auto ok =
      shell("cd '" + sdk_dir.string() + "' && ET_GATEWAY=http://127.0.0.1:" + std::to_string(port)
            + " timeout 120 node gateway_sdk.mjs > '" + out.string() + "' 2>&1");
  auto text = read_file(out);
  CAF_MESSAGE("node said:\n" << text);
  CAF_CHECK(ok);
  CAF_CHECK(has(text, "ALL OK"));
  CAF_CHECK(!has(text, "FAILED"));
  CAF_CHECK(!has(text, "SECRET"));
}

CAF_TEST_FIXTURE_SCOPE_END()
