#define CAF_SUITE libet.routing.chain
#include "caf/test/unit_test.hpp"

#include "et/config/loader.hpp"
#include "et/routing/chain.hpp"

using namespace et;

namespace {

config::settings load(const std::string& yaml) {
  auto out = config::check_string(yaml, "test.yaml",
                                  [](const std::string&) { return std::optional<std::string>{}; });
  if (!out.ok())
    CAF_FAIL("config: " << config::to_string(out.diagnostics));
  return out.value;
}

const char* base_yaml = R"(
providers:
  sim: {type: mock}
  local: {type: ollama}
models:
  a: {provider: sim, model: model-a, max_tokens: 100, temperature: 0.7, num_ctx: 4096}
  b: {provider: sim, model: model-b}
  c: {provider: local, model: qwen}
roles:
  polecat: {model: a, fallbacks: [b, local/llama3], max_tokens: 50}
  witness: {model: c}
defaults: {model: b, fallbacks: [c], max_tokens: 300, temperature: 0.1}
)";

chat_request hello() {
  chat_request r;
  r.messages.push_back(message{role::user, "hi", {}, {}, {}});
  return r;
}

} // namespace

CAF_TEST(a role chain is its model then its fallbacks) {
  auto s = load(base_yaml);
  auto chain = routing::resolve_chain(s, "polecat", "", hello());
  CAF_REQUIRE(chain);
  CAF_REQUIRE_EQUAL(chain->size(), 3u);
  CAF_CHECK_EQUAL((*chain)[0].where.label(), "a (sim/model-a)");
  CAF_CHECK_EQUAL((*chain)[1].where.label(), "b (sim/model-b)");
  CAF_CHECK_EQUAL((*chain)[2].where.label(), "local/llama3");
  CAF_CHECK_EQUAL((*chain)[2].request.model, "llama3");
}

CAF_TEST(options follow request then role then alias then defaults) {
  auto s = load(base_yaml);
  auto chain = routing::resolve_chain(s, "polecat", "", hello());
  CAF_REQUIRE(chain);
  const auto& first = (*chain)[0].request;
  CAF_CHECK_EQUAL(first.model, "model-a");
  CAF_CHECK_EQUAL(*first.max_tokens, 50);   // role beats alias
  CAF_CHECK_EQUAL(*first.temperature, 0.7); // alias beats defaults
  CAF_CHECK_EQUAL(*first.num_ctx, 4096);
  const auto& second = (*chain)[1].request;
  CAF_CHECK_EQUAL(*second.max_tokens, 50);
  CAF_CHECK_EQUAL(*second.temperature, 0.1); // defaults
  CAF_CHECK(!second.num_ctx);
  auto explicit_req = hello();
  explicit_req.max_tokens = 7;
  auto chain2 = routing::resolve_chain(s, "polecat", "", explicit_req);
  CAF_CHECK_EQUAL(*(*chain2)[0].request.max_tokens, 7); // the request beats all
}

CAF_TEST(an unconfigured role uses the defaults chain) {
  auto s = load(base_yaml);
  auto chain = routing::resolve_chain(s, "crew", "", hello());
  CAF_REQUIRE(chain);
  CAF_REQUIRE_EQUAL(chain->size(), 2u);
  CAF_CHECK_EQUAL((*chain)[0].where.alias, "b");
  CAF_CHECK_EQUAL(*(*chain)[0].request.max_tokens, 300);
  CAF_CHECK_EQUAL((*chain)[1].where.alias, "c");
}

CAF_TEST(an explicit target replaces the role chain) {
  auto s = load(base_yaml);
  auto chain = routing::resolve_chain(s, "polecat", "c", hello());
  CAF_REQUIRE(chain);
  CAF_REQUIRE_EQUAL(chain->size(), 1u);
  CAF_CHECK_EQUAL((*chain)[0].where.provider, "local");
  CAF_CHECK_EQUAL(*(*chain)[0].request.max_tokens, 50); // still the role's options
}

CAF_TEST(the base request is not changed and messages are kept) {
  auto s = load(base_yaml);
  auto base = hello();
  auto copy = base;
  auto chain = routing::resolve_chain(s, "polecat", "", base);
  CAF_CHECK(base == copy);
  CAF_CHECK((*chain)[1].request.messages == base.messages);
}

CAF_TEST(a remote reference keeps its node) {
  auto s = load(base_yaml);
  auto c = routing::resolve_reference(s, s.role_or_default("polecat"), "big@gpu", hello());
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->where.node, "gpu");
  CAF_CHECK_EQUAL(c->where.key(), "big@gpu");
  CAF_CHECK_EQUAL(c->request.model, "big"); // the node resolves its own alias
}

CAF_TEST(a role without any model is a configuration failure) {
  auto s = load(R"(
providers: {sim: {type: mock}}
models: {a: {provider: sim, model: x}}
)");
  auto chain = routing::resolve_chain(s, "mayor", "", hello());
  CAF_REQUIRE(!chain);
  CAF_CHECK_EQUAL(chain.error().code, errc::invalid_config);
  CAF_CHECK(chain.error().message.find("mayor") != std::string::npos);
}

CAF_TEST(a role with a pool leads with its members then its model and fallbacks) {
  auto s = load(R"(
providers: {sim: {type: mock}}
models:
  a: {provider: sim, model: model-a}
  b: {provider: sim, model: model-b}
  c: {provider: sim, model: model-c}
roles:
  polecat:
    model: b
    fallbacks: [c, a]
    pool: [a, {model: b, max_concurrency: 3}]
)");
  auto chain = routing::resolve_chain(s, "polecat", "", hello());
  CAF_REQUIRE(chain);
  CAF_REQUIRE_EQUAL(chain->size(), 3u); // b and a appear once, at their pool places
  CAF_CHECK_EQUAL((*chain)[0].where.alias, "a");
  CAF_CHECK_EQUAL((*chain)[0].pool_capacity, 1);
  CAF_CHECK_EQUAL((*chain)[1].where.alias, "b");
  CAF_CHECK_EQUAL((*chain)[1].pool_capacity, 3);
  CAF_CHECK_EQUAL((*chain)[2].where.alias, "c");
  CAF_CHECK_EQUAL((*chain)[2].pool_capacity, 0);
  // An explicit target (how the run's pool asks) is just that member, not the group.
  auto one = routing::resolve_chain(s, "polecat", "b", hello());
  CAF_REQUIRE(one);
  CAF_REQUIRE_EQUAL(one->size(), 1u);
  CAF_CHECK_EQUAL((*one)[0].pool_capacity, 0);
}

CAF_TEST(each candidate says how its model takes thinking) {
  auto s = load(R"(
providers:
  an: {type: anthropic, api_key: k}
  sim: {type: mock}
models:
  opus: {provider: an, model: claude-opus, thinking: adaptive}
  sonnet: {provider: an, model: claude-sonnet, thinking: budget}
  plain: {provider: sim, model: m}
roles:
  coder: {model: opus, fallbacks: [sonnet, plain, an/claude-other]}
)");
  auto asked = hello();
  asked.thinking.asked = thinking_request::want::on;
  auto chain = routing::resolve_chain(s, "coder", "", asked);
  CAF_REQUIRE(chain);
  CAF_REQUIRE_EQUAL(chain->size(), 4u);
  using style = thinking_style;
  CAF_CHECK((*chain)[0].request.thinking.takes == style::adaptive);
  CAF_CHECK((*chain)[1].request.thinking.takes == style::budget);
  CAF_CHECK((*chain)[2].request.thinking.takes == style::unknown);
  CAF_CHECK((*chain)[3].request.thinking.takes == style::unknown); // provider/model: no alias
  for (const auto& c : *chain) // what the client asked for goes to every candidate
    CAF_CHECK(c.request.thinking.asked == thinking_request::want::on);
}
