#define CAF_SUITE libet.config.trust
#include "caf/test/unit_test.hpp"

#include <sys/stat.h>

#include <fstream>
#include <map>

#include "et/config/trust.hpp"
#include "temp_dir.hpp"

using namespace et;
namespace fs = std::filesystem;

namespace {

// A private folder with a state dir and a repository holding a config file.
struct fixture {
  et::test::scratch_dir scratch{"trust"};
  fs::path root = scratch.dir;
  fs::path repo;
  fs::path file;
  config::trust_store store;

  fixture()
      : repo(root / "repo"), file(repo / "electrictown.yaml"),
        store(root / "state" / "electrictown" / "trusted-configs") {
    fs::create_directories(repo);
    write(file, "providers: {}\n");
  }

  static void write(const fs::path& p, const std::string& text) {
    std::ofstream{p, std::ios::binary} << text;
  }

  config::trust_verdict verdict(const fs::path& p, const std::string& bytes) {
    auto v = store.check(p, bytes);
    CAF_REQUIRE(v.has_value());
    return *v;
  }

  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    CAF_REQUIRE_EQUAL(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }
};

} // namespace

CAF_TEST(sha256 is the standard digest) {
  CAF_CHECK_EQUAL(config::sha256_hex("abc"),
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CAF_CHECK_EQUAL(config::sha256_hex(""),
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

CAF_TEST(the records live in the default state dir whatever a config says) {
  std::map<std::string, std::string> vars{{"HOME", "/home/u"}};
  config::env_lookup env = [&vars](const std::string& k) -> std::optional<std::string> {
    if (auto i = vars.find(k); i != vars.end())
      return i->second;
    return std::nullopt;
  };
  CAF_CHECK_EQUAL(config::trust_file(env).string(),
                  "/home/u/.local/state/electrictown/trusted-configs");
  vars["XDG_STATE_HOME"] = "/x/state";
  CAF_CHECK_EQUAL(config::trust_file(env).string(), "/x/state/electrictown/trusted-configs");
}

CAF_TEST_FIXTURE_SCOPE(trust_tests, fixture)

CAF_TEST(a file is unknown until trusted then trusted with exactly those bytes) {
  CAF_CHECK(verdict(file, "providers: {}\n") == config::trust_verdict::unknown);
  CAF_REQUIRE(store.trust(file, "providers: {}\n").has_value());
  CAF_CHECK(verdict(file, "providers: {}\n") == config::trust_verdict::trusted);
  // The store is private: the folder it made 0700, the file 0600.
  CAF_CHECK_EQUAL(mode_of(store.file()), 0600u);
  CAF_CHECK_EQUAL(mode_of(store.file().parent_path()), 0700u);
  CAF_CHECK_EQUAL(mode_of(store.file().parent_path().parent_path()), 0700u);
}

CAF_TEST(a changed file needs trust again) {
  CAF_REQUIRE(store.trust(file, "providers: {}\n").has_value());
  CAF_CHECK(verdict(file, "providers: {evil: {}}\n") == config::trust_verdict::changed);
  CAF_REQUIRE(store.trust(file, "providers: {evil: {}}\n").has_value());
  CAF_CHECK(verdict(file, "providers: {evil: {}}\n") == config::trust_verdict::trusted);
  CAF_CHECK(verdict(file, "providers: {}\n") == config::trust_verdict::changed);
}

CAF_TEST(the same bytes at another path are not trusted) {
  CAF_REQUIRE(store.trust(file, "providers: {}\n").has_value());
  auto other = root / "other" / "electrictown.yaml";
  fs::create_directories(other.parent_path());
  write(other, "providers: {}\n");
  CAF_CHECK(verdict(other, "providers: {}\n") == config::trust_verdict::unknown);
  // Trusting one path keeps the record of the other.
  CAF_REQUIRE(store.trust(other, "providers: {}\n").has_value());
  CAF_CHECK(verdict(file, "providers: {}\n") == config::trust_verdict::trusted);
}

CAF_TEST(paths are compared canonically) {
  CAF_REQUIRE(store.trust(repo / "." / "electrictown.yaml", "providers: {}\n").has_value());
  CAF_CHECK(verdict(file, "providers: {}\n") == config::trust_verdict::trusted);
  auto link = root / "link";
  fs::create_directory_symlink(repo, link);
  CAF_CHECK(verdict(link / "electrictown.yaml", "providers: {}\n")
            == config::trust_verdict::trusted);
}

CAF_TEST(untrust forgets the file) {
  CAF_REQUIRE(store.trust(file, "providers: {}\n").has_value());
  auto gone = store.untrust(file);
  CAF_REQUIRE(gone.has_value());
  CAF_CHECK(*gone);
  CAF_CHECK(verdict(file, "providers: {}\n") == config::trust_verdict::unknown);
  auto again = store.untrust(file);
  CAF_REQUIRE(again.has_value());
  CAF_CHECK(!*again);
}

CAF_TEST(a missing file is an error not a verdict) {
  CAF_CHECK(!store.check(repo / "missing.yaml", "").has_value());
  CAF_CHECK(!store.trust(repo / "missing.yaml", "").has_value());
}

CAF_TEST_FIXTURE_SCOPE_END()
