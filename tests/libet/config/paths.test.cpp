#define CAF_SUITE libet.config.paths
#include "loader_support.hpp"

#include "et/config/paths.hpp"

// Where et keeps its files, and which output dirs a model's files may not go to.

using namespace et;
using namespace loader_test;

namespace {

const auto env = env_of({{"HOME", "/nonexistent-et/home"}});

std::string refused(const std::string& out, const config::settings& s = {}) {
  return config::refused_output_dir(out, s, env);
}

} // namespace

CAF_TEST(a project folder takes a model s files) {
  CAF_CHECK_EQUAL(refused("/nonexistent-et/home/project"), "");
  CAF_CHECK_EQUAL(refused("/nonexistent-et/home/.configs/x"), ""); // a name, not a prefix
  CAF_CHECK_EQUAL(refused("/srv/build/out"), "");
}

CAF_TEST(the home folder and what holds it do not ) {
  CAF_CHECK(refused("/nonexistent-et/home").find("home folder") != std::string::npos);
  CAF_CHECK(refused("/nonexistent-et/home/").find("home folder") != std::string::npos);
  CAF_CHECK(refused("/nonexistent-et/home/project/..").find("home folder") != std::string::npos);
  CAF_CHECK(refused("/").find("home folder") != std::string::npos);
}

CAF_TEST(nor the hosts private folders the verify sandbox keeps out) {
  CAF_CHECK_EQUAL(refused("/tmp"),
                  "it would show the host's /tmp, which the sandbox keeps private");
  CAF_CHECK_EQUAL(refused("/run/user/1000/out"),
                  "it lies inside the host's /run, which the sandbox keeps private");
  CAF_CHECK_EQUAL(refused("/tmp/et-some-project"), ""); // a folder of its own in /tmp is fine
}

CAF_TEST(et s own folders neither inside nor around) {
  CAF_CHECK(
      refused("/nonexistent-et/home/.local/state/electrictown/runs/x").find("inside et's state dir")
      != std::string::npos);
  CAF_CHECK(refused("/nonexistent-et/home/.local").find("holds et's state dir")
            != std::string::npos);
  CAF_CHECK(refused("/nonexistent-et/home/.config").find("holds et's config folder")
            != std::string::npos);
  config::settings s;
  s.defaults.state_dir = "/nonexistent-et/home/project/state";
  CAF_CHECK(refused("/nonexistent-et/home/project", s).find("holds et's state dir")
            != std::string::npos);
  for (auto granting : {"/nonexistent-et/home/.ssh", "/nonexistent-et/home/.gnupg/x",
                        "/nonexistent-et/home/.local/bin"})
    CAF_CHECK(refused(granting).find("grants access") != std::string::npos);
  // The trust file stays where it always is, whatever state_dir the config names.
  CAF_CHECK(refused("/nonexistent-et/home/.local/state/electrictown", s).find("default state dir")
            != std::string::npos);
}

CAF_TEST(nor one that holds a config read without a trust check) {
  CAF_CHECK(config::refused_output_dir("/nonexistent-et/home/project", {}, env,
                                       "/nonexistent-et/home/project/et.yaml")
                .find("holds the config file")
            != std::string::npos);
  CAF_CHECK_EQUAL(config::refused_output_dir("/nonexistent-et/home/project/out", {}, env,
                                             "/nonexistent-et/home/project/et.yaml"),
                  "");
}
