#define CAF_SUITE apps.models
#include "caf/test/unit_test.hpp"

#include <fstream>
#include <iterator>
#include <sstream>

#include "app_test.hpp"
#include "fake_upstream/server.hpp"
#include "loopback_server.hpp"

// `et models` against the loopback fake upstream in all four protocols, plus
// a provider whose port is closed; `et nodes` checking this host's Ollama
// providers against the same upstream.

namespace {

// The fake's models, and one named as Ollama names a default tag.
et::fake::options listing_options() {
  et::fake::options o;
  o.models.push_back("llama3:latest");
  return o;
}

struct fixture : et::test::scratch_dir {
  et::fake::server upstream{listing_options()};
  std::filesystem::path file = dir / "et.yaml";

  fixture() : scratch_dir("models-test") {
    if (!upstream.start())
      CAF_FAIL("cannot start the fake upstream");
  }

  void write_config(bool with_broken) {
    auto base = "http://127.0.0.1:" + std::to_string(upstream.port());
    std::ofstream out{file};
    out << "providers:\n"
        << "  oa: {type: openai, base_url: \"" << base << "/v1\"}\n"
        << "  an: {type: anthropic, base_url: \"" << base << "\", api_key: sk-ant-SECRET}\n"
        << "  ol: {type: ollama, base_url: \"" << base << "\"}\n"
        << "  ge: {type: gemini, base_url: \"" << base << "\", api_key: AIza-SECRET}\n";
    if (with_broken)
      out << "  broken: {type: openai, base_url: \"http://127.0.0.1:1/v1\", api_key: sk-SECRET}\n";
    out << "models:\n"
        << "  small: {provider: oa, model: fake-small}\n"
        << "  claude: {provider: an, model: fake-large}\n"
        << "  typo: {provider: oa, model: fake-smal}\n"
        << "  ll: {provider: ol, model: llama3}\n";
  }

  et::test::outcome et(const std::vector<std::string>& args) {
    return et::test::run_in_process(args);
  }
};

using et::test::count;

// The table row of `provider` listing `model`, "" when there is none.
std::string row(const std::string& table, const std::string& provider, const std::string& model) {
  std::istringstream in{table};
  for (std::string line; std::getline(in, line);)
    if (line.rfind(provider + " ", 0) == 0 && line.find(" " + model + " ") != std::string::npos)
      return line;
  return {};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(models_tests, fixture)

CAF_TEST(every protocol lists its models with the aliases that point at them) {
  write_config(false);
  auto r = et({"models", "--config", file.string()});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(count(r.out, "fake-medium"), 4u); // one row per provider
  auto small = row(r.out, "oa", "fake-small");
  CAF_CHECK(small.size() > 5 && small.substr(small.size() - 5) == "small");
  auto claude = row(r.out, "an", "fake-large");
  CAF_CHECK(claude.size() > 6 && claude.substr(claude.size() - 6) == "claude");
  // An alias whose model the provider does not list shows, marked, instead of vanishing.
  auto typo = row(r.out, "oa", "fake-smal");
  CAF_CHECK(typo.find("typo (not listed by the provider)") != std::string::npos);
  // Ollama's "llama3:latest" is the config's "llama3".
  auto tagged = row(r.out, "ol", "llama3:latest");
  CAF_CHECK(tagged.size() > 2 && tagged.substr(tagged.size() - 2) == "ll");
  CAF_CHECK(r.out.find("ll (not listed") == std::string::npos);
  CAF_CHECK(r.err.empty());
}

CAF_TEST(a failing provider shows its error on its row and the exit code says so) {
  write_config(true);
  auto r = et({"models", "--config", file.string()});
  CAF_CHECK_EQUAL(r.code, 1);
  CAF_CHECK(r.out.find("broken") != std::string::npos);
  CAF_CHECK(r.out.find("error: network") != std::string::npos);
  CAF_CHECK(r.out.find("SECRET") == std::string::npos);
  CAF_CHECK_EQUAL(count(r.out, "fake-medium"), 4u); // the others still answered
}

CAF_TEST(a provider that never answers holds the listing up for its timeout only) {
  write_config(false);
  auto base = "http://127.0.0.1:" + std::to_string(upstream.port());
  std::string yaml;
  {
    std::ifstream in{file};
    yaml.assign(std::istreambuf_iterator<char>{in}, {});
  }
  yaml.insert(yaml.find("models:\n"), "  stuck: {type: openai, base_url: \"" + base
                                          + "/v1\", headers: {x-fake-fault: hang}}\n");
  std::ofstream{file, std::ios::trunc} << yaml;
  auto r = et({"models", "--timeout", "0.5", "--config", file.string()});
  CAF_CHECK_EQUAL(r.code, 1);
  CAF_CHECK(r.out.find("error: timeout") != std::string::npos);
  CAF_CHECK_EQUAL(count(r.out, "fake-medium"), 4u); // the others listed
  auto bad = et({"models", "--timeout", "0", "--config", file.string()});
  CAF_CHECK_EQUAL(bad.code, 2);
  CAF_CHECK(bad.err.find("--timeout") != std::string::npos);
}

CAF_TEST(a node that takes the connection and never answers holds the listing for its timeout) {
  et::test::silent_listener silent;
  auto port = silent.port();
  write_config(false);
  std::ofstream{file, std::ios::app} << "nodes:\n  box: {address: 127.0.0.1:" << port
                                     << ", connect_timeout: 30s}\n";
  // Not the node's 30 s: --timeout bounds its connect as it bounds a provider's.
  auto r = et({"models", "--timeout", "0.5", "--config", file.string()});
  CAF_CHECK_EQUAL(r.code, 1);
  auto at = r.out.find("@box");
  CAF_REQUIRE(at != std::string::npos);
  auto box = r.out.substr(at, r.out.find('\n', at) - at);
  ET_CHECK_SAYING(box.find("did not answer in time") != std::string::npos, box);
  CAF_CHECK_EQUAL(count(r.out, "fake-medium"), 4u); // the others listed
}

CAF_TEST(json output has one entry per provider) {
  write_config(true);
  auto r = et({"models", "--json", "--config", file.string()});
  CAF_CHECK_EQUAL(r.code, 1);
  CAF_CHECK_EQUAL(count(r.out, "\"provider\":"), 5u);
  CAF_CHECK_EQUAL(count(r.out, "\"error\":"), 1u);
  CAF_CHECK(r.out.find("\"aliases\":[\"small\"]") != std::string::npos);
  CAF_CHECK(r.out.find("\"unlisted\":[{\"alias\":\"typo\",\"model\":\"fake-smal\"}]")
            != std::string::npos);
  CAF_CHECK(r.out.find("SECRET") == std::string::npos);
}

CAF_TEST(et nodes checks each ollama provider here with its tags endpoint) {
  auto base = "http://127.0.0.1:" + std::to_string(upstream.port());
  std::ofstream{file} << "providers:\n"
                      << "  ol: {type: ollama, base_url: \"" << base << "\"}\n"
                      << "  cloud: {type: ollama, base_url: \"" << base
                      << "\", api_key: ol-SECRET, headers: {x-fake-fault: unauthorized}}\n"
                      << "  oa: {type: openai, base_url: \"" << base << "/v1\"}\n"
                      << "models:\n"
                      << "  small: {provider: oa, model: fake-small}\n";
  auto r = et({"nodes", "--config", file.string()});
  CAF_CHECK_EQUAL(r.code, 1); // one provider is unhealthy
  CAF_CHECK(r.out.find("this host\n") == 0);
  // Only Ollama providers are checked; each on one line with its URL.
  CAF_CHECK(r.out.find("    ollama ol (" + base + ")  ok  ") != std::string::npos);
  CAF_CHECK(r.out.find(" models  ") != std::string::npos);
  CAF_CHECK(r.out.find("    ollama cloud (" + base + ")  FAILED  auth: ") != std::string::npos);
  CAF_CHECK(r.out.find("oa") == std::string::npos);
  CAF_CHECK(r.out.find("SECRET") == std::string::npos);
  CAF_CHECK(r.out.find("no nodes configured") != std::string::npos);
  CAF_CHECK_EQUAL(upstream.requests(et::fake::endpoint::ollama_tags), 2u);
  auto json = et({"nodes", "--json", "--config", file.string()});
  CAF_CHECK_EQUAL(json.code, 1);
  CAF_CHECK(json.out.find("{\"local\":{\"ollama\":[{\"provider\":\"cloud\",") == 0);
  CAF_CHECK_EQUAL(count(json.out, "\"ok\":true"), 1u);
  CAF_CHECK(json.out.find("\"nodes\":[]") != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
