#define CAF_SUITE libet.config.validate_access
#include "caf/test/unit_test.hpp"

#include <algorithm>

#include "validate_support.hpp"

// Authentication, nodes and server validation (references between sections are
// in validate.test.cpp).

using namespace validate_test;

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

CAF_TEST(a key or header naming an unset variable is an error not a partial credential) {
  CAF_CHECK_EQUAL(error_at("providers:\n  v: {type: ollama, auth_type: basic, api_key: "
                           "\"admin:Pa$sw0rd\"}\n",
                           "providers.v.api_key"),
                  "environment variable sw0rd is not set (the API key names it; write $$ for a "
                  "literal $)");
  auto header = [](const std::string& value) {
    return "providers:\n  p: {type: ollama, headers: {Authorization: \"" + value + "\"}}\n";
  };
  CAF_CHECK_EQUAL(error_at(header("Bearer ${PROXY_TOKEN}"), "providers.p.headers.Authorization"),
                  "environment variable PROXY_TOKEN is not set (header Authorization names it; "
                  "write $$ for a literal $)");
  // A malformed reference in a header is named without quoting the value.
  auto bad = header("Bearer sk-inline-header-secret${");
  CAF_CHECK_EQUAL(error_at(bad, "providers.p.headers.Authorization"),
                  "malformed environment reference in the value (not shown): missing '}'");
  auto s = valid(header("Bearer $$literal ${PASS}"));
  CAF_CHECK_EQUAL(s.providers.at("p").headers.at("Authorization"),
                  "Bearer $literal hunter2-passphrase");
}

CAF_TEST(a header or key that cannot go in an HTTP header is a config error) {
  // Found at load with its place in the file, not at the first request; never quoted.
  auto header = [](const std::string& name, const std::string& value) {
    return "providers:\n  p:\n    type: ollama\n    headers: {" + name + ": \"" + value + "\"}\n";
  };
  auto problem = "holds a control character (it is sent in an HTTP header, where a line break "
                 "would end it)";
  CAF_CHECK_EQUAL(error_at(header("X-Title", "a\\nb"), "providers.p.headers.X-Title"), problem);
  CAF_CHECK_EQUAL(error_at(header("X-Title", "${PASTED_KEY}"), "providers.p.headers.X-Title"),
                  problem);
  // One error, the key's own: not "an API key is required" as well.
  CAF_CHECK_EQUAL(errors("providers:\n  o: {type: openai, api_key: $PASTED_KEY}\n"),
                  cfg + ":2:30: providers.o.api_key: " + problem + "\n");
  CAF_CHECK_EQUAL(error_at(header("\"X Title\"", "a"), "providers.p.headers.X Title"),
                  "a header name is letters, digits and !#$%&'*+-.^_`|~ only (RFC 9110)");
  for (auto key : {"org", "anthropic_version"}) // headers too
    CAF_CHECK_EQUAL(error_at("providers:\n  a: {type: anthropic, api_key: k, " + std::string{key}
                                 + ": \"2023\\n06\"}\n",
                             "providers.a." + std::string{key}),
                    problem);
  // The file's own bytes in a message stay on its line.
  auto split = errors(header("\"X\\nY\"", "a"));
  CAF_CHECK_EQUAL(std::count(split.begin(), split.end(), '\n'), 1);
  CAF_CHECK(split.find("X\\x0aY") != std::string::npos);
  auto s = valid(header("X-Title", "tab\tis fine"));
  CAF_CHECK_EQUAL(s.providers.at("p").headers.at("X-Title"), "tab\tis fine");
  CAF_CHECK(errors(header("X-Title", "${PASTED_KEY}")).find("sk-pasted") == std::string::npos);
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
  CAF_CHECK_EQUAL(out.diagnostics.size(), 3u); // v's key once: not "required" on top of it
  CAF_CHECK(text.find("sk-inline-secret") == std::string::npos);
  CAF_CHECK(text.find("sk-no-colon-here") == std::string::npos);
  CAF_CHECK(text.find("pass-inline-secret") == std::string::npos);
  CAF_CHECK_EQUAL(error_at(yaml, "providers.v.api_key"),
                  "malformed environment reference in the value (not shown): missing '}'");
}

// -- nodes -------------------------------------------------------------------------

CAF_TEST(a node is read with its defaults) {
  auto s = valid(base
                 + "nodes:\n  gpu: {address: \"127.0.0.5:7700\"}\n  v6: {address: "
                   "\"[::1]:7701\", connect_timeout: 2s}\n");
  const auto& gpu = s.nodes.at("gpu");
  CAF_CHECK_EQUAL(gpu.name, "gpu");
  CAF_CHECK_EQUAL(gpu.host, "127.0.0.5");
  CAF_CHECK_EQUAL(gpu.port, 7700u);
  CAF_CHECK_EQUAL(gpu.connect_timeout, 5s);
  CAF_CHECK_EQUAL(gpu.request_timeout, 600s);
  CAF_CHECK(!gpu.tls.enabled());
  CAF_CHECK_EQUAL(s.nodes.at("v6").host, "::1");
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

CAF_TEST(a node off loopback needs tls) {
  auto node = [](const std::string& address) {
    return base + "nodes:\n  gpu: {address: \"" + address + "\"}\n";
  };
  for (const auto* host : {"10.0.0.5", "gpu-box", "localhost"})
    CAF_CHECK_EQUAL(error_at(node(std::string{host} + ":7700"), "nodes.gpu.address"),
                    "node gpu at " + std::string{host}
                        + " is not on loopback: it needs tls (et serve listens off loopback with "
                          "mutual TLS only)");
  CAF_CHECK_EQUAL(errors(node("127.0.0.1:7700")), "");
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
              + "}\n  c: {address: \"127.0.0.1:3\"}\n"
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
