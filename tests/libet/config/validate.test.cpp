#define CAF_SUITE libet.config.validate
#include "caf/test/unit_test.hpp"

#include "validate_support.hpp"

// References between sections: model aliases and providers, roles, fallbacks.
// Authentication, nodes and the server are in validate_access.test.cpp.

using namespace validate_test;

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

CAF_TEST(an alias name with an at sign is refused) {
  CAF_CHECK_EQUAL(errors("providers:\n  local: {type: ollama}\nmodels:\n"
                         "  gpt@fast: {provider: local, model: x}\n"),
                  cfg
                      + ":4:3: models.gpt@fast: '@' is not allowed in a model alias "
                        "(ALIAS@NODE names an alias on a node)\n");
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
  // An unknown type is the one error: what a provider needs (a key) depends on its type.
  CAF_CHECK_EQUAL(errors("providers:\n  p:\n    type: mokc\n"),
                  cfg
                      + ":3:11: providers.p.type: unknown provider type \"mokc\"; did you mean "
                        "\"mock\"?\n");
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
  gpu-box: {address: "127.0.0.5:7700"}
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
                               + "nodes:\n  n1: {address: \"127.0.0.1:1\"}\nroles:\n  r:\n"
                                 "    model: fast@n1\n    fallbacks: [fast@n1]\n",
                           "roles.r.fallbacks[0]"),
                  "fallback \"fast@n1\" is the role's own primary model");
}
