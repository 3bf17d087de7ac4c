#define CAF_SUITE e2e.gateway_codex
#include "caf/test/unit_test.hpp"

#include <cstdlib>

#include "gateway_fixture.hpp"

// The real Codex CLI (npm @openai/codex, pinned: each release may add what it sends) against
// `et serve --http`'s Responses API: a whole turn on an OpenAI and on an Anthropic upstream,
// with everything Codex adds to its requests (its tools, namespaces, web search, client
// metadata). Installed into the build folder with npm at test time, never vendored. Without
// node, or without a reachable npm registry, the suite says "gateway_codex: skipped".

using namespace et::e2e;
using namespace et::e2e::gw;

namespace {

constexpr const char* codex_package = "@openai/codex@0.171.0";
const fs::path codex_dir = fs::path{ET_BINARY_DIR} / "gateway-codex";
const fs::path codex_bin = codex_dir / "node_modules/.bin/codex";

bool shell(const std::string& command) {
  return std::system(command.c_str()) == 0;
}

// The reason Codex cannot run here, "" when it can.
std::string missing_codex() {
  if (!shell("node --version > /dev/null 2>&1"))
    return "node is not installed";
  if (!shell("npm --version > /dev/null 2>&1"))
    return "npm is not installed";
  auto runs = [] { return shell("'" + codex_bin.string() + "' --version > /dev/null 2>&1"); };
  if (runs())
    return {};
  fs::create_directories(codex_dir);
  auto log = codex_dir / "npm-install.log";
  shell("cd '" + codex_dir.string()
        + "' && timeout 300 npm install --no-audit --no-fund --prefix . " + codex_package + " > '"
        + log.string() + "' 2>&1");
  return runs() ? std::string{} : "npm could not install Codex (see " + log.string() + ")";
}

// `codex exec PROMPT` with model `model` through the gateway; its output, `ok` its exit.
std::string codex_exec(fixture& f, const std::string& model, const std::string& prompt, bool& ok,
                       const std::string& settings = "") {
  auto home = f.dir / "codex-home";
  fs::create_directories(home);
  auto out = f.dir / ("codex-" + model + ".out");
  auto provider = "model_providers.et={name=\"et\",base_url=\"http://127.0.0.1:"
                  + std::to_string(f.port) + "/v1\",wire_api=\"responses\"}";
  ok = shell("cd '" + f.dir.string() + "' && HOME='" + home.string() + "' timeout 120 '"
             + codex_bin.string() + "' exec --skip-git-repo-check -c model_provider=et -c '"
             + provider + "' " + settings + " -m " + model + " '" + prompt + "' < /dev/null > '"
             + out.string() + "' 2>&1");
  return read_file(out);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_codex_tests, fixture)

CAF_TEST(codex completes a turn through the gateway on any upstream) {
  if (auto why = missing_codex(); !why.empty()) {
    CAF_MESSAGE("gateway_codex: skipped: " << why);
    return;
  }
  serve();
  // gpt-5.5 is a model Codex knows: it then sends its free-form apply_patch tool and its tool
  // search too.
  for (const std::string model : {"gpt", "claude", "gpt-5.5"}) {
    bool ok = false;
    auto text = codex_exec(*this, model, "echo this back", ok);
    CAF_MESSAGE("codex said:\n" << text);
    CAF_CHECK(ok);
    // The fake upstream echoes the last user turn, which ends with the prompt (an Anthropic
    // upstream takes Codex's two user messages as one turn of two blocks): Codex shows it as
    // the model's answer, then its token count.
    CAF_CHECK(has(text, "echo this back\ntokens used"));
    CAF_CHECK(!has(text, "ERROR"));
    CAF_CHECK(has(gateway->err(), "POST /v1/responses model=" + model + " stream -> 200 ok"));
  }
  CAF_CHECK(fixture::clean(gateway->err()));
}

CAF_TEST(codex shows the thinking of a Claude model as its reasoning) {
  if (auto why = missing_codex(); !why.empty()) {
    CAF_MESSAGE("gateway_codex: skipped: " << why);
    return;
  }
  serve();
  bool ok = false;
  auto text = codex_exec(*this, "claudethink", "echo this back", ok,
                         "-c model_reasoning_effort=low -c model_reasoning_summary=auto");
  CAF_MESSAGE("codex said:\n" << text);
  CAF_CHECK(ok);
  // Codex prints the reasoning item's summary before the answer.
  CAF_CHECK(has(text, "\nWeighing it up.\ncodex\n"));
  CAF_CHECK(has(text, "echo this back\ntokens used"));
  CAF_CHECK(!has(text, "ERROR"));
}

CAF_TEST_FIXTURE_SCOPE_END()
