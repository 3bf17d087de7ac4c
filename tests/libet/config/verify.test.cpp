#define CAF_SUITE libet.config.verify
#include "loader_support.hpp"

// The `verify` section: how `et run --verify` runs the model-written code it checks.

using namespace loader_test;
using strings = std::vector<std::string>;

namespace {

// A provider whose key comes from OPENAI_API_KEY (dummy-openai in fake_env).
std::string with_keyed_provider(const std::string& verify_yaml) {
  return R"(providers:
  local: {type: openai, base_url: "http://localhost:8000/v1"}
  openai: {type: openai, api_key: $OPENAI_API_KEY}
models:
  fast: {provider: local, model: m1}
)" + verify_yaml;
}

} // namespace

CAF_TEST(verify defaults to a required sandbox and no extra variables or folders) {
  auto s = valid(base);
  CAF_CHECK(s.verify.sandbox == config::sandbox_mode::on);
  CAF_CHECK(s.verify.env.empty());
  CAF_CHECK(s.verify.read_only.empty());
}

CAF_TEST(verify takes a sandbox mode and variable names) {
  auto s = valid(base + "verify: {sandbox: on, env: [GOPATH, CARGO_HOME, GOPATH]}\n");
  CAF_CHECK(s.verify.sandbox == config::sandbox_mode::on);
  CAF_CHECK_EQUAL(s.verify.env, (strings{"GOPATH", "CARGO_HOME"}));
  CAF_CHECK(valid(base + "verify: {sandbox: off}\n").verify.sandbox == config::sandbox_mode::off);
  CAF_CHECK(valid(base + "verify: {sandbox: \"auto\"}\n").verify.sandbox
            == config::sandbox_mode::automatic);
  CAF_CHECK_EQUAL(config::to_string(config::sandbox_mode::automatic), "auto");
}

CAF_TEST(a bad sandbox mode or key is an error naming it) {
  CAF_CHECK_EQUAL(error_at(base + "verify: {sandbox: maybe}\n", "verify.sandbox"),
                  "expected auto, on or off");
  auto unknown = error_at(base + "verify: {sandbx: on}\n", "verify.sandbx");
  CAF_CHECK_NOT_EQUAL(unknown.find("did you mean"), std::string::npos);
  CAF_CHECK_EQUAL(error_at(base + "verify: {env: [\"BAD NAME\"]}\n", "verify.env[0]"),
                  "\"BAD NAME\" is not an environment variable name");
}

CAF_TEST(a listed variable holding a configured secret is an error without its value) {
  auto yaml = with_keyed_provider("verify: {env: [GOPATH, OPENAI_API_KEY]}\n");
  auto message = error_at(yaml, "verify.env[1]");
  CAF_CHECK_EQUAL(
      message, "OPENAI_API_KEY holds a configured secret; it is never passed to verify commands");
  CAF_CHECK_EQUAL(errors(yaml).find("dummy-openai"), std::string::npos);
  // Listing it is fine when no provider uses it as a key.
  CAF_CHECK_EQUAL(valid(base + "verify: {env: [OPENAI_API_KEY]}\n").verify.env,
                  (strings{"OPENAI_API_KEY"}));
}

CAF_TEST(verify read_only takes absolute home and config relative paths) {
  auto s = valid(base + "verify: {read_only: [/srv/tools, ~/sdk/bin, vendor/bin, /srv/tools/]}\n");
  auto beside = std::filesystem::path{cfg}.parent_path();
  CAF_CHECK_EQUAL(s.verify.read_only, (strings{"/srv/tools", "/home/tester/sdk/bin",
                                               (beside / "vendor/bin").string()}));
  CAF_CHECK_EQUAL(valid(base + "verify: {read_only: /opt/x}\n").verify.read_only,
                  (strings{"/opt/x"}));
}

CAF_TEST(verify read_only may not show the whole machine or the whole home) {
  CAF_CHECK_EQUAL(error_at(base + "verify: {read_only: [/usr, /]}\n", "verify.read_only[1]"),
                  "\"/\" would show the whole machine");
  // (Diagnostics write the home as ${HOME}.)
  for (const auto* p : {"~", "/home", "/home/tester/", "/home/../home/tester"}) {
    auto message = error_at(base + "verify: {read_only: [\"" + p + "\"]}\n", "verify.read_only[0]");
    CAF_CHECK_NOT_EQUAL(
        message.find("\" would show your whole home; list the folders in it the command needs"),
        std::string::npos);
  }
  CAF_CHECK_EQUAL(error_at(base + "verify: {read_only: [\"\"]}\n", "verify.read_only[0]"),
                  "expected a path");
  CAF_CHECK_EQUAL(error_at(base + "verify: {read_only: [/root]}\n", "verify.read_only[0]"),
                  "\"/root\" would show the home folder /root");
}

CAF_TEST(verify read_only may not show what the sandbox keeps private) {
  auto at = [](const std::string& p) {
    return error_at(base + "verify: {read_only: [\"" + p + "\"]}\n", "verify.read_only[0]");
  };
  CAF_CHECK_EQUAL(at("/tmp"),
                  "\"/tmp\" would show the host's /tmp, which the sandbox keeps private");
  CAF_CHECK_NOT_EQUAL(at("/var").find("\"/var\" would show the "),
                      std::string::npos); // a home or /var/tmp
  CAF_CHECK_EQUAL(at("/run/user/1000/bin"),
                  "\"/run/user/1000/bin\" lies inside the host's /run, which the sandbox keeps "
                  "private");
  CAF_CHECK_EQUAL(at("/run/dbus"),
                  "\"/run/dbus\" lies inside the host's /run, which the sandbox keeps private");
  CAF_CHECK_EQUAL(at("/proc/self"),
                  "\"/proc/self\" lies inside the host's /proc, which the sandbox keeps private");
  CAF_CHECK_EQUAL(valid(base
                        + "verify: {read_only: [/tmp/build/bin, /run/wrappers/bin, "
                          "/run/current-system/sw/bin]}\n")
                      .verify.read_only,
                  (strings{"/tmp/build/bin", "/run/wrappers/bin", "/run/current-system/sw/bin"}));
}

CAF_TEST(verify limits default to bounded processes and files and take whole numbers) {
  auto usual = valid(base).verify.limits;
  CAF_CHECK_EQUAL(usual.processes, 4096);
  CAF_CHECK_EQUAL(usual.file_mib, 4096);
  CAF_CHECK_EQUAL(usual.memory_mib, 0);
  auto set = valid(base + "verify: {limits: {processes: 0, file_mib: 16, memory_mib: 2048}}\n")
                 .verify.limits;
  CAF_CHECK_EQUAL(set.processes, 0);
  CAF_CHECK_EQUAL(set.file_mib, 16);
  CAF_CHECK_EQUAL(set.memory_mib, 2048);
  CAF_CHECK_EQUAL(error_at(base + "verify: {limits: {processes: -1}}\n", "verify.limits.processes"),
                  "must be from 0 to 1073741824, got -1");
  CAF_CHECK_EQUAL(error_at(base + "verify: {limits: {file_mib: lots}}\n", "verify.limits.file_mib"),
                  "expected a whole number, got \"lots\"");
  auto unknown = error_at(base + "verify: {limits: {memory_mb: 1}}\n", "verify.limits.memory_mb");
  CAF_CHECK_NOT_EQUAL(unknown.find("did you mean"), std::string::npos);
}
