#define CAF_SUITE libet.config.locate
#include "caf/test/unit_test.hpp"

#include <fstream>
#include <map>

#include "et/config/locate.hpp"
#include "temp_dir.hpp"

using namespace et;
namespace fs = std::filesystem;

namespace {

// A private folder tree: cwd/, home/ and xdg/, removed again at the end.
struct tree {
  et::test::scratch_dir scratch{"locate"};
  fs::path root = scratch.dir;
  fs::path cwd;
  fs::path home;
  fs::path xdg;
  std::map<std::string, std::string> vars;

  tree() {
    cwd = root / "cwd";
    home = root / "home";
    xdg = root / "xdg";
    for (const auto& p : {cwd, home, xdg})
      fs::create_directories(p);
    vars["HOME"] = home.string();
  }

  static void touch(const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ofstream{p} << "providers: {}\n";
  }

  config::env_lookup env() const {
    return [vars = vars](const std::string& name) -> std::optional<std::string> {
      if (auto i = vars.find(name); i != vars.end())
        return i->second;
      return std::nullopt;
    };
  }

  fs::path in_cwd() const { return cwd / "electrictown.yaml"; }
  fs::path in_xdg() const { return xdg / "electrictown" / "electrictown.yaml"; }
  fs::path in_dot_config() const { return home / ".config" / "electrictown" / "electrictown.yaml"; }
  fs::path in_home() const { return home / "electrictown.yaml"; }

  // The located path, or "<error: message>".
  std::string find(const std::optional<std::string>& explicit_path = std::nullopt) const {
    auto p = config::locate(explicit_path, cwd, env());
    return p ? p->string() : "<error: " + p.error().message + ">";
  }
};

} // namespace

CAF_TEST(candidates without xdg are cwd then dot config then home) {
  tree t;
  auto paths = config::candidate_paths(t.cwd, t.env());
  CAF_REQUIRE_EQUAL(paths.size(), 3u);
  CAF_CHECK_EQUAL(paths[0].string(), t.in_cwd().string());
  CAF_CHECK_EQUAL(paths[1].string(), t.in_dot_config().string());
  CAF_CHECK_EQUAL(paths[2].string(), t.in_home().string());
}

CAF_TEST(candidates with xdg use it instead of dot config) {
  tree t;
  t.vars["XDG_CONFIG_HOME"] = t.xdg.string();
  auto paths = config::candidate_paths(t.cwd, t.env());
  CAF_REQUIRE_EQUAL(paths.size(), 3u);
  CAF_CHECK_EQUAL(paths[0].string(), t.in_cwd().string());
  CAF_CHECK_EQUAL(paths[1].string(), t.in_xdg().string());
  CAF_CHECK_EQUAL(paths[2].string(), t.in_home().string());
}

CAF_TEST(an empty xdg variable counts as unset) {
  tree t;
  t.vars["XDG_CONFIG_HOME"] = "";
  auto paths = config::candidate_paths(t.cwd, t.env());
  CAF_REQUIRE_EQUAL(paths.size(), 3u);
  CAF_CHECK_EQUAL(paths[1].string(), t.in_dot_config().string());
}

CAF_TEST(without home only the working directory and xdg are candidates) {
  tree t;
  t.vars.clear();
  CAF_CHECK_EQUAL(config::candidate_paths(t.cwd, t.env()).size(), 1u);
  t.vars["XDG_CONFIG_HOME"] = t.xdg.string();
  auto paths = config::candidate_paths(t.cwd, t.env());
  CAF_REQUIRE_EQUAL(paths.size(), 2u);
  CAF_CHECK_EQUAL(paths[1].string(), t.in_xdg().string());
}

CAF_TEST(the working directory wins over every other location) {
  tree t;
  t.vars["XDG_CONFIG_HOME"] = t.xdg.string();
  for (const auto& p : {t.in_cwd(), t.in_xdg(), t.in_home()})
    tree::touch(p);
  CAF_CHECK_EQUAL(t.find(), t.in_cwd().string());
}

CAF_TEST(xdg wins over home) {
  tree t;
  t.vars["XDG_CONFIG_HOME"] = t.xdg.string();
  tree::touch(t.in_xdg());
  tree::touch(t.in_home());
  CAF_CHECK_EQUAL(t.find(), t.in_xdg().string());
}

CAF_TEST(dot config is used when xdg is unset) {
  tree t;
  tree::touch(t.in_xdg()); // ignored: XDG_CONFIG_HOME is not set
  tree::touch(t.in_dot_config());
  tree::touch(t.in_home());
  CAF_CHECK_EQUAL(t.find(), t.in_dot_config().string());
}

CAF_TEST(dot config is ignored when xdg is set) {
  tree t;
  t.vars["XDG_CONFIG_HOME"] = t.xdg.string();
  tree::touch(t.in_dot_config());
  tree::touch(t.in_home());
  CAF_CHECK_EQUAL(t.find(), t.in_home().string());
}

CAF_TEST(home is the last resort) {
  tree t;
  tree::touch(t.in_home());
  CAF_CHECK_EQUAL(t.find(), t.in_home().string());
}

CAF_TEST(a folder with the file name is not a configuration) {
  tree t;
  fs::create_directories(t.in_cwd());
  tree::touch(t.in_home());
  CAF_CHECK_EQUAL(t.find(), t.in_home().string());
}

CAF_TEST(nothing found lists every path tried in order) {
  tree t;
  t.vars["XDG_CONFIG_HOME"] = t.xdg.string();
  CAF_CHECK_EQUAL(t.find(), "<error: no configuration found (tried " + t.in_cwd().string() + ", "
                                + t.in_xdg().string() + ", " + t.in_home().string()
                                + "); pass --config FILE or copy configs/electrictown.yaml "
                                  "there>");
  auto p = config::locate(std::nullopt, t.cwd, t.env());
  CAF_REQUIRE(!p);
  CAF_CHECK_EQUAL(p.error().code, errc::invalid_config);
}

CAF_TEST(an explicit path is used even when other candidates exist) {
  tree t;
  tree::touch(t.in_cwd());
  auto mine = t.root / "mine.yaml";
  tree::touch(mine);
  CAF_CHECK_EQUAL(t.find(mine.string()), mine.string());
}

CAF_TEST(a missing explicit path is an error and no fallback) {
  tree t;
  tree::touch(t.in_cwd());
  auto missing = (t.root / "missing.yaml").string();
  CAF_CHECK_EQUAL(t.find(missing),
                  "<error: --config: cannot read \"" + missing + "\": no such file>");
  CAF_CHECK_EQUAL(t.find(t.root.string()), "<error: --config: cannot read \"" + t.root.string()
                                               + "\": it is a folder, not a file>");
}

CAF_TEST(a file in the working directory needs trust and the user s own files do not ) {
  tree t;
  t.vars["XDG_CONFIG_HOME"] = t.xdg.string();
  tree::touch(t.in_cwd());
  tree::touch(t.in_xdg());
  auto origin = [&](const std::optional<std::string>& flag, const fs::path& cwd) {
    auto found = config::find_config(flag, cwd, t.env());
    CAF_REQUIRE(found.has_value());
    return found->origin;
  };
  CAF_CHECK(origin(std::nullopt, t.cwd) == config::config_origin::working_dir);
  CAF_CHECK(config::needs_trust(config::config_origin::working_dir));
  CAF_CHECK(origin(t.in_cwd().string(), t.cwd) == config::config_origin::flag);
  CAF_CHECK(!config::needs_trust(config::config_origin::flag));
  fs::remove(t.in_cwd());
  CAF_CHECK(origin(std::nullopt, t.cwd) == config::config_origin::user);
  CAF_CHECK(!config::needs_trust(config::config_origin::user));
  // Running in the home folder: ./electrictown.yaml is ~/electrictown.yaml.
  tree::touch(t.in_home());
  CAF_CHECK(origin(std::nullopt, t.home) == config::config_origin::user);
  // A path read back from a journal is trusted only when it is one of the user's own.
  CAF_CHECK(config::origin_of(t.in_xdg(), t.env(), config::config_origin::recorded)
            == config::config_origin::user);
  CAF_CHECK(config::origin_of(t.cwd / "other.yaml", t.env(), config::config_origin::recorded)
            == config::config_origin::recorded);
}
