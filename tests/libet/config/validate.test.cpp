#define CAF_SUITE libet.config.validate
#include "caf/test/unit_test.hpp"

#include <fstream>
#include <map>
#include <random>

#include "et/config/loader.hpp"

// References between sections, fallbacks, authentication, nodes and server.

using namespace et;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string cfg = "/etc/et/et.yaml";

config::env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    if (auto i = vars.find(name); i != vars.end())
      return i->second;
    return std::nullopt;
  };
}

// Never the real environment.
config::env_lookup fake_env() {
  return env_of({{"HOME", "/home/tester"},
                 {"OPENAI_API_KEY", "sk-openai-dummy"},
                 {"BASIC_KEY", "sk-no-colon-here"},
                 {"PASS", "hunter2-passphrase"}});
}

config::load_outcome check(const std::string& yaml, const std::string& file = cfg) {
  return config::check_string(yaml, file, fake_env());
}

std::string errors(const std::string& yaml) {
  return config::to_string(check(yaml).diagnostics);
}

// The message reported for `path`, or what was reported instead.
std::string error_at(const std::string& yaml, const std::string& path) {
  auto out = check(yaml);
  for (const auto& d : out.diagnostics)
    if (d.path == path)
      return d.message;
  return "<nothing at " + path + "; got: " + config::to_string(out.diagnostics) + ">";
}

config::settings valid(const std::string& yaml, const std::string& file = cfg) {
  auto out = check(yaml, file);
  CAF_CHECK_EQUAL(config::to_string(out.diagnostics), "");
  return out.value;
}

// Lines 1-12; additions start on line 13.
const std::string base = R"(providers:
  local:
    type: openai
    base_url: http://localhost:8000/v1
  other:
    type: ollama
models:
  fast: {provider: local, model: m1}
  slow: {provider: local, model: m2}
  gpt4o: {provider: local, model: gpt-4o}
  same-as-fast: {provider: local, model: m1}
  remote: {provider: other, model: m1}
)";

// A role "r" with `model` and `fallbacks` (a flow list), on top of `base`.
std::string role(const std::string& model, const std::string& fallbacks) {
  return base + "roles:\n  r:\n    model: " + model + "\n    fallbacks: " + fallbacks + "\n";
}

// A folder holding cert.pem, key.pem and ca.pem, removed at the end.
struct pki_dir {
  fs::path path;
  pki_dir() {
    std::random_device rd;
    path =
        fs::temp_directory_path() / ("et-validate-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
    for (const char* name : {"cert.pem", "key.pem", "ca.pem"})
      std::ofstream{path / name} << "-----BEGIN TEST-----\n";
  }
  ~pki_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  pki_dir(const pki_dir&) = delete;
  pki_dir& operator=(const pki_dir&) = delete;
  std::string config_file() const { return (path / "et.yaml").string(); }
};

const std::string full_tls = "{certificate: cert.pem, key: key.pem, ca_file: ca.pem}";

} // namespace

// -- model aliases and providers ------------------------------------------------

CAF_TEST(a fallback naming an unknown alias renders like the spec example) {
  CAF_CHECK_EQUAL(
      errors(base + "roles:\n  polecat:\n    model: fast\n    fallbacks: [slow, gpt4]\n"),
      cfg
          + ":16:23: roles.polecat.fallbacks[1]: unknown model alias \"gpt4\"; did "
            "you mean \"gpt4o\"?\n");
}

CAF_TEST(an unknown alias far from every name gets no suggestion) {
  CAF_CHECK_EQUAL(error_at(base + "roles:\n  mayor: {model: banana}\n", "roles.mayor.model"),
                  "unknown model alias \"banana\"");
}

CAF_TEST(an alias naming an unknown provider suggests the nearest) {
  CAF_CHECK_EQUAL(errors("providers:\n  local: {type: ollama}\nmodels:\n"
                         "  m: {provider: locl, model: x}\n"),
                  cfg
                      + ":4:17: models.m.provider: unknown provider \"locl\"; did you mean "
                        "\"local\"?\n");
}

CAF_TEST(at least one provider is required) {
  CAF_CHECK_EQUAL(errors("models:\n  m: {provider: x, model: y}\n"),
                  cfg + ":1:1: providers: at least one provider is required\n" + cfg
                      + ":2:17: models.m.provider: unknown provider \"x\" (none are defined)\n");
  CAF_CHECK_EQUAL(errors("providers: {}\n"),
                  cfg + ":1:12: providers: at least one provider is required\n");
}

CAF_TEST(an alias needs a provider and a model id) {
  auto alias = [](const std::string& body) {
    return "providers:\n  local: {type: ollama}\nmodels:\n  m: " + body + "\n";
  };
  CAF_CHECK_EQUAL(errors(alias("{model: x}")),
                  cfg + ":4:6: models.m.provider: missing provider (a name under providers)\n");
  CAF_CHECK_EQUAL(error_at(alias("{provider: local}"), "models.m.model"),
                  "missing model (the provider's model id, e.g. gpt-4o)");
  CAF_CHECK_EQUAL(error_at(alias("{provider: local, model: \"\"}"), "models.m.model"),
                  "missing model (the provider's model id, e.g. gpt-4o)");
}

CAF_TEST(a provider needs a known type) {
  auto typed = [](const std::string& type) {
    return "providers:\n  p:\n    base_url: http://h:1\n" + type;
  };
  CAF_CHECK_EQUAL(error_at(typed("    type: opneai\n"), "providers.p.type"),
                  "unknown provider type \"opneai\"; did you mean \"openai\"?");
  CAF_CHECK_EQUAL(error_at(typed("    type: vllm\n"), "providers.p.type"),
                  "unknown provider type \"vllm\" (openai, anthropic, ollama, gemini or mock)");
  CAF_CHECK_EQUAL(errors(typed("")), cfg
                                         + ":3:5: providers.p.type: missing provider type "
                                           "(openai, anthropic, ollama, gemini or mock)\n");
}

CAF_TEST(a base url must parse) {
  CAF_CHECK_EQUAL(errors("providers:\n  p: {type: ollama, base_url: \"localhost:11434\"}\n"),
                  cfg
                      + ":2:31: providers.p.base_url: invalid URL \"localhost:11434\": expected "
                        "http:// or https://\n");
  CAF_CHECK_EQUAL(error_at("providers:\n  p: {type: ollama, base_url: \"http://h/?k=1\"}\n",
                           "providers.p.base_url"),
                  "invalid URL \"http://h/?k=1\": query strings and fragments are not allowed");
  CAF_CHECK_EQUAL(
      error_at("providers:\n  p: {type: ollama, base_url: \"\"}\n", "providers.p.base_url"),
      "invalid URL \"\": expected http:// or https://");
}

// -- role references ---------------------------------------------------------------

CAF_TEST(a role needs a model) {
  CAF_CHECK_EQUAL(errors(base + "roles:\n  mayor: {fallbacks: [slow]}\n"),
                  cfg + ":14:10: roles.mayor.model: missing model (a model alias)\n");
  CAF_CHECK_EQUAL(error_at(base + "roles:\n  mayor:\n", "roles.mayor.model"),
                  "missing model (a model alias)");
}

CAF_TEST(a direct provider and model reference needs a known provider) {
  CAF_CHECK_EQUAL(errors(base + "roles:\n  mayor: {model: other/llama3}\n"), "");
  CAF_CHECK_EQUAL(error_at(base + "roles:\n  mayor: {model: nope/llama3}\n", "roles.mayor.model"),
                  "unknown model alias \"nope/llama3\"");
  CAF_CHECK_EQUAL(error_at(base + "roles:\n  mayor: {model: local/}\n", "roles.mayor.model"),
                  "unknown model alias \"local/\"");
}

CAF_TEST(a remote reference needs a known node) {
  auto yaml = base + R"(nodes:
  gpu-box: {address: "10.0.0.5:7700"}
roles:
  polecat:
    model: fast
    pool: [fast, big@gpu-box, big@gpu-bux, "@gpu-box", "big@"]
)";
  auto out = check(yaml);
  CAF_CHECK_EQUAL(config::to_string(out.diagnostics),
                  cfg
                      + ":18:31: roles.polecat.pool[2]: unknown node \"gpu-bux\"; did you mean "
                        "\"gpu-box\"?\n"
                      + cfg
                      + ":18:44: roles.polecat.pool[3]: expected alias@node, got \"@gpu-box\"\n"
                      + cfg + ":18:56: roles.polecat.pool[4]: expected alias@node, got \"big@\"\n");
  CAF_CHECK_EQUAL(error_at(base + "roles:\n  mayor: {model: big@gpu}\n", "roles.mayor.model"),
                  "unknown node \"gpu\" (none are defined)");
}

CAF_TEST(pool members are checked in both forms) {
  auto yaml = base + R"(roles:
  polecat:
    model: fast
    pool:
      - fadt
      - {model: slaw, max_concurrency: 2}
      - {max_concurrency: 2}
)";
  CAF_CHECK_EQUAL(errors(yaml),
                  cfg
                      + ":17:9: roles.polecat.pool[0]: unknown model alias \"fadt\"; did you mean "
                        "\"fast\"?\n"
                      + cfg
                      + ":18:17: roles.polecat.pool[1]: unknown model alias \"slaw\"; did you "
                        "mean \"slow\"?\n"
                      + cfg + ":19:9: roles.polecat.pool[2]: a pool member needs a model alias\n");
}

CAF_TEST(specialists are checked like roles) {
  CAF_CHECK_EQUAL(error_at(base + "specialists:\n  sec: {model: fadt, description: audits}\n",
                           "specialists.sec.model"),
                  "unknown model alias \"fadt\"; did you mean \"fast\"?");
  CAF_CHECK_EQUAL(error_at(base + "specialists:\n  sec: {model: fast, fallbacks: [fast]}\n",
                           "specialists.sec.fallbacks[0]"),
                  "fallback \"fast\" is the role's own primary model");
}

CAF_TEST(the defaults section is checked like a role) {
  CAF_CHECK_EQUAL(error_at(base + "defaults:\n  model: fadt\n", "defaults.model"),
                  "unknown model alias \"fadt\"; did you mean \"fast\"?");
  CAF_CHECK_EQUAL(error_at(base + "defaults:\n  model: fast\n  fallbacks: [slow, nope]\n",
                           "defaults.fallbacks[1]"),
                  "unknown model alias \"nope\"");
  CAF_CHECK_EQUAL(error_at(base + "defaults:\n  model: fast\n  fallbacks: [same-as-fast]\n",
                           "defaults.fallbacks[0]"),
                  "fallback \"same-as-fast\" resolves to the same provider and model as the "
                  "primary \"fast\"");
}

// -- fallbacks -------------------------------------------------------------------

CAF_TEST(valid fallbacks are kept in order) {
  auto s = valid(role("fast", "[slow, remote, other/m9, gpt4o]"));
  const auto& fb = s.roles.at("r").fallbacks;
  CAF_REQUIRE_EQUAL(fb.size(), 4u);
  CAF_CHECK_EQUAL(fb[0], "slow");
  CAF_CHECK_EQUAL(fb[2], "other/m9");
  CAF_CHECK_EQUAL(fb[3], "gpt4o");
}

CAF_TEST(a single fallback may be written without a list) {
  auto s = valid(role("fast", "slow"));
  CAF_REQUIRE_EQUAL(s.roles.at("r").fallbacks.size(), 1u);
  CAF_CHECK_EQUAL(s.roles.at("r").fallbacks[0], "slow");
  CAF_CHECK_EQUAL(errors(role("fast", "slaw")),
                  cfg
                      + ":16:16: roles.r.fallbacks[0]: unknown model alias \"slaw\"; did you mean "
                        "\"slow\"?\n");
}

CAF_TEST(a duplicate fallback is an error) {
  CAF_CHECK_EQUAL(errors(role("fast", "[slow, gpt4o, slow]")),
                  cfg + ":16:30: roles.r.fallbacks[2]: duplicate fallback \"slow\"\n");
}

CAF_TEST(a fallback equal to the primary alias is an error) {
  CAF_CHECK_EQUAL(errors(role("fast", "[slow, fast]")),
                  cfg
                      + ":16:23: roles.r.fallbacks[1]: fallback \"fast\" is the role's own "
                        "primary model\n");
}

CAF_TEST(a fallback reaching the primary deployment under another name is an error) {
  CAF_CHECK_EQUAL(error_at(role("fast", "[same-as-fast]"), "roles.r.fallbacks[0]"),
                  "fallback \"same-as-fast\" resolves to the same provider and model as the "
                  "primary \"fast\"");
  CAF_CHECK_EQUAL(error_at(role("fast", "[local/m1]"), "roles.r.fallbacks[0]"),
                  "fallback \"local/m1\" resolves to the same provider and model as the primary "
                  "\"fast\"");
  CAF_CHECK_EQUAL(error_at(role("local/m1", "[fast]"), "roles.r.fallbacks[0]"),
                  "fallback \"fast\" resolves to the same provider and model as the primary "
                  "\"local/m1\"");
}

CAF_TEST(the same model id on another provider is a valid fallback) {
  CAF_CHECK_EQUAL(errors(role("fast", "[remote, other/m1]")), "");
}

CAF_TEST(a fallback equal to a remote primary is an error) {
  CAF_CHECK_EQUAL(error_at(base
                               + "nodes:\n  n1: {address: \"h:1\"}\nroles:\n  r:\n"
                                 "    model: fast@n1\n    fallbacks: [fast@n1]\n",
                           "roles.r.fallbacks[0]"),
                  "fallback \"fast@n1\" is the role's own primary model");
}

// -- authentication ----------------------------------------------------------------

CAF_TEST(hosted providers need an api key) {
  CAF_CHECK_EQUAL(errors("providers:\n  claude:\n    type: anthropic\n"),
                  cfg
                      + ":3:5: providers.claude.api_key: an API key is required for this provider "
                        "(e.g. api_key: $ANTHROPIC_API_KEY)\n");
  CAF_CHECK_EQUAL(error_at("providers:\n  g: {type: gemini}\n", "providers.g.api_key"),
                  "an API key is required for this provider (e.g. api_key: $GEMINI_API_KEY)");
  CAF_CHECK_EQUAL(error_at("providers:\n  o: {type: openai}\n", "providers.o.api_key"),
                  "an API key is required for this provider (e.g. api_key: $API_KEY)");
  CAF_CHECK_EQUAL(error_at("providers:\n  c: {type: ollama, base_url: \"https://ollama.com\"}\n",
                           "providers.c.api_key"),
                  "an API key is required for this provider (e.g. api_key: $API_KEY)");
}

CAF_TEST(self hosted and local providers need no key) {
  auto s = valid("providers:\n  vllm: {type: openai, base_url: \"http://gpu:8000/v1\"}\n"
                 "  local: {type: ollama}\n  sim: {type: mock}\n");
  CAF_CHECK(s.providers.at("vllm").api_key.empty());
  CAF_CHECK_EQUAL(s.providers.at("vllm").auth, config::auth_type::none);
}

CAF_TEST(an unset key variable is named in the error) {
  CAF_CHECK_EQUAL(errors("providers:\n  openai:\n    type: openai\n    api_key: $MISSING_KEY\n"),
                  cfg
                      + ":4:14: providers.openai.api_key: environment variable MISSING_KEY is not "
                        "set (the openai provider needs an API key)\n");
  CAF_CHECK_EQUAL(error_at("providers:\n  a: {type: anthropic, api_key: \"${ANTHROPIC_KEY}\"}\n",
                           "providers.a.api_key"),
                  "environment variable ANTHROPIC_KEY is not set (the anthropic provider needs an "
                  "API key)");
}

CAF_TEST(a set key variable fills the key and defaults auth to bearer) {
  auto s = valid("providers:\n  openai: {type: openai, api_key: $OPENAI_API_KEY}\n");
  CAF_CHECK_EQUAL(s.providers.at("openai").api_key, "sk-openai-dummy");
  CAF_CHECK_EQUAL(s.providers.at("openai").api_key_source, "$OPENAI_API_KEY");
  CAF_CHECK_EQUAL(s.providers.at("openai").auth, config::auth_type::bearer);
}

CAF_TEST(an unset key variable is fine where no key is needed) {
  auto s = valid("providers:\n  vllm: {type: openai, base_url: \"http://gpu:1\", "
                 "api_key: $MISSING_KEY}\n");
  CAF_CHECK(s.providers.at("vllm").api_key.empty());
  CAF_CHECK_EQUAL(s.providers.at("vllm").auth, config::auth_type::none);
}

CAF_TEST(an explicit auth type asks for a key even when self hosted) {
  CAF_CHECK_EQUAL(error_at("providers:\n  v: {type: openai, base_url: \"http://gpu:1\", "
                           "auth_type: bearer, api_key: $MISSING_KEY}\n",
                           "providers.v.api_key"),
                  "environment variable MISSING_KEY is not set (the openai provider needs an API "
                  "key)");
  CAF_CHECK_EQUAL(error_at("providers:\n  v: {type: openai, base_url: \"http://gpu:1\", "
                           "auth_type: bearer}\n",
                           "providers.v.api_key"),
                  "an API key is required for this provider (e.g. api_key: $API_KEY)");
}

CAF_TEST(basic auth takes a user and password key) {
  auto s = valid("providers:\n  v: {type: openai, base_url: \"http://gpu:1\", auth_type: basic, "
                 "api_key: \"alice:s3cret\"}\n");
  CAF_CHECK_EQUAL(s.providers.at("v").auth, config::auth_type::basic);
  CAF_CHECK_EQUAL(s.providers.at("v").api_key, "alice:s3cret");
}

CAF_TEST(basic auth without a colon is refused without showing the key) {
  auto yaml = std::string{"providers:\n  v:\n    type: ollama\n    auth_type: basic\n"
                          "    api_key: $BASIC_KEY\n"};
  CAF_CHECK_EQUAL(errors(yaml), cfg
                                    + ":5:14: providers.v.api_key: auth_type basic needs an "
                                      "api_key shaped user:password\n");
}

CAF_TEST(basic auth is refused for providers with their own key header) {
  CAF_CHECK_EQUAL(error_at("providers:\n  a: {type: anthropic, auth_type: basic, api_key: "
                           "\"u:p\"}\n",
                           "providers.a.auth_type"),
                  "basic auth is only supported for openai and ollama providers");
}

CAF_TEST(an unknown auth type is refused) {
  CAF_CHECK_EQUAL(
      error_at("providers:\n  v: {type: ollama, auth_type: token}\n", "providers.v.auth_type"),
      "unknown auth_type \"token\" (bearer, basic or none)");
}

CAF_TEST(no error ever quotes a key or passphrase value) {
  pki_dir pki;
  auto yaml = std::string{"providers:\n  v:\n    type: ollama\n    auth_type: basic\n"
                          "    api_key: \"sk-inline-secret${\"\n"
                          "  w: {type: ollama, auth_type: basic, api_key: $BASIC_KEY}\n"
                          "server:\n  tls: {certificate: cert.pem, key: key.pem, ca_file: ca.pem, "
                          "passphrase: \"pass-inline-secret${X\"}\n"};
  auto out = check(yaml, pki.config_file());
  auto text = config::to_string(out.diagnostics);
  CAF_CHECK_EQUAL(out.diagnostics.size(), 4u);
  CAF_CHECK(text.find("sk-inline-secret") == std::string::npos);
  CAF_CHECK(text.find("sk-no-colon-here") == std::string::npos);
  CAF_CHECK(text.find("pass-inline-secret") == std::string::npos);
  CAF_CHECK_EQUAL(error_at(yaml, "providers.v.api_key"),
                  "malformed environment reference in the value (not shown): missing '}'");
}

// -- nodes -------------------------------------------------------------------------

CAF_TEST(a node is read with its defaults) {
  auto s = valid(base
                 + "nodes:\n  gpu: {address: \"10.0.0.5:7700\"}\n  v6: {address: "
                   "\"[fd00::5]:7701\", connect_timeout: 2s}\n");
  const auto& gpu = s.nodes.at("gpu");
  CAF_CHECK_EQUAL(gpu.name, "gpu");
  CAF_CHECK_EQUAL(gpu.host, "10.0.0.5");
  CAF_CHECK_EQUAL(gpu.port, 7700u);
  CAF_CHECK_EQUAL(gpu.connect_timeout, 5s);
  CAF_CHECK_EQUAL(gpu.request_timeout, 600s);
  CAF_CHECK(!gpu.tls.enabled());
  CAF_CHECK_EQUAL(s.nodes.at("v6").host, "fd00::5");
  CAF_CHECK_EQUAL(s.nodes.at("v6").port, 7701u);
  CAF_CHECK_EQUAL(s.nodes.at("v6").connect_timeout, 2s);
}

CAF_TEST(a node needs a host and port address) {
  auto node = [](const std::string& body) { return base + "nodes:\n  gpu: " + body + "\n"; };
  CAF_CHECK_EQUAL(errors(node("{connect_timeout: 1s}")),
                  cfg
                      + ":14:8: nodes.gpu.address: missing address (host:port of the et serve "
                        "node)\n");
  CAF_CHECK_EQUAL(error_at(node("{address: gpu-box}"), "nodes.gpu.address"),
                  "expected host:port with a port from 1 to 65535, got \"gpu-box\"");
  CAF_CHECK_EQUAL(error_at(node("{address: \"gpu:0\"}"), "nodes.gpu.address"),
                  "expected host:port with a port from 1 to 65535, got \"gpu:0\"");
  CAF_CHECK_EQUAL(error_at(node("{address: \"gpu:70000\"}"), "nodes.gpu.address"),
                  "expected host:port with a port from 1 to 65535, got \"gpu:70000\"");
  CAF_CHECK_EQUAL(error_at(node("{address: \":7700\"}"), "nodes.gpu.address"),
                  "expected host:port with a port from 1 to 65535, got \":7700\"");
  CAF_CHECK_EQUAL(error_at(node("{adress: \"h:1\"}"), "nodes.gpu.adress"),
                  "unknown key \"adress\"; did you mean \"address\"?");
}

CAF_TEST(node tls needs certificate key and ca file) {
  pki_dir pki;
  auto out =
      check(base + "nodes:\n  gpu:\n    address: \"h:1\"\n    tls: {certificate: cert.pem}\n",
            pki.config_file());
  CAF_CHECK_EQUAL(config::to_string(out.diagnostics),
                  pki.config_file()
                      + ":16:10: nodes.gpu.tls: TLS needs certificate, key and "
                        "ca_file (mutual TLS)\n");
}

CAF_TEST(node tls files must exist) {
  CAF_CHECK_EQUAL(
      error_at(base + "nodes:\n  gpu:\n    address: \"h:1\"\n    tls: " + full_tls + "\n",
               "nodes.gpu.tls.key"),
      "file \"/etc/et/key.pem\" does not exist");
}

CAF_TEST(complete node tls is resolved next to the configuration) {
  pki_dir pki;
  auto s = valid(base
                     + "nodes:\n  gpu:\n    address: \"h:1\"\n    tls: {certificate: cert.pem, "
                       "key: key.pem, ca_file: ca.pem, passphrase: $PASS}\n",
                 pki.config_file());
  const auto& tls = s.nodes.at("gpu").tls;
  CAF_CHECK(tls.enabled());
  CAF_CHECK_EQUAL(tls.certificate, (pki.path / "cert.pem").string());
  CAF_CHECK_EQUAL(tls.key, (pki.path / "key.pem").string());
  CAF_CHECK_EQUAL(tls.ca_file, (pki.path / "ca.pem").string());
  CAF_CHECK_EQUAL(tls.passphrase, "hunter2-passphrase");
}

CAF_TEST(every node uses the same tls identity) {
  pki_dir pki;
  std::ofstream{pki.path / "other.pem"} << "-----BEGIN TEST-----\n";
  auto yaml = base + "nodes:\n  a: {address: \"h:1\", tls: " + full_tls
              + "}\n  b: {address: \"h:2\", tls: " + full_tls
              + "}\n  c: {address: \"h:3\"}\n"
                "  d: {address: \"h:4\", tls: {certificate: other.pem, key: key.pem, ca_file: "
                "ca.pem}}\n";
  auto out = check(yaml, pki.config_file());
  CAF_CHECK_EQUAL(config::to_string(out.diagnostics),
                  pki.config_file()
                      + ":17:28: nodes.d.tls: every node must use the same TLS material (one "
                        "client identity per process); nodes.a.tls differs\n");
}

// -- server ------------------------------------------------------------------------

CAF_TEST(the server may listen on loopback without tls) {
  for (const auto* listen : {"127.0.0.1:7700", "\"[::1]:7700\"", "127.0.1.1:80"}) {
    CAF_MESSAGE("listen: " << listen);
    CAF_CHECK_EQUAL(errors(base + "server:\n  listen: " + listen + "\n"), "");
  }
  auto s = valid(base + "server:\n  listen: \"[::1]:7800\"\n  name: box\n");
  CAF_CHECK_EQUAL(s.server.host, "::1");
  CAF_CHECK_EQUAL(s.server.port, 7800u);
  CAF_CHECK_EQUAL(s.server.name, "box");
}

CAF_TEST(listening beyond loopback requires tls) {
  CAF_CHECK_EQUAL(errors(base + "server:\n  listen: 0.0.0.0:7700\n"),
                  cfg
                      + ":14:11: server.listen: listening on 0.0.0.0 (not loopback) requires "
                        "server.tls\n");
}

CAF_TEST(a name is not loopback even when it looks like one) {
  for (const auto* host : {"localhost", "127.evil.com"})
    CAF_CHECK_EQUAL(error_at(base + "server:\n  listen: " + host + ":7700\n", "server.listen"),
                    std::string{"listening on "} + host + " (not loopback) requires server.tls");
}

CAF_TEST(insecure plaintext is only for a loopback address and never with tls) {
  auto s = valid(base + "server:\n  listen: 127.0.0.1:0\n  insecure_plaintext: true\n");
  CAF_CHECK(s.server.insecure_plaintext);
  CAF_CHECK(!valid(base + "server:\n  listen: 127.0.0.1:0\n").server.insecure_plaintext);
  for (const auto* host : {"0.0.0.0", "localhost", "127.evil.com", "10.0.0.5"})
    CAF_CHECK_EQUAL(
        error_at(base + "server:\n  listen: " + host + ":7700\n  insecure_plaintext: true\n",
                 "server.insecure_plaintext"),
        std::string{"plain TCP is allowed only on a loopback address (127.0.0.0/8 or "
                    "::1), not "}
            + host);
  pki_dir pki;
  auto both = check(base + "server:\n  tls: " + full_tls + "\n  insecure_plaintext: true\n",
                    pki.config_file());
  CAF_CHECK_EQUAL(config::to_string(both.diagnostics),
                  pki.config_file()
                      + ":15:23: server.insecure_plaintext: server.insecure_plaintext and "
                        "server.tls exclude each other\n");
}

CAF_TEST(listening beyond loopback with complete tls is valid) {
  pki_dir pki;
  auto s =
      valid(base + "server:\n  listen: 0.0.0.0:7700\n  tls: " + full_tls + "\n", pki.config_file());
  CAF_CHECK_EQUAL(s.server.host, "0.0.0.0");
  CAF_CHECK(s.server.tls.enabled());
}

CAF_TEST(a server listen address must parse) {
  CAF_CHECK_EQUAL(error_at(base + "server:\n  listen: \"7700\"\n", "server.listen"),
                  "expected host:port with a port from 0 to 65535, got \"7700\"");
  CAF_CHECK_EQUAL(error_at(base + "server:\n  listen: \"h:port\"\n", "server.listen"),
                  "expected host:port with a port from 0 to 65535, got \"h:port\"");
}

CAF_TEST(incomplete server tls is an error) {
  CAF_CHECK_EQUAL(error_at(base + "server:\n  tls: {}\n", "server.tls"),
                  "TLS needs certificate, key and ca_file (mutual TLS)");
}
