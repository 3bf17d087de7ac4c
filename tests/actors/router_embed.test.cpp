#define CAF_SUITE actors.router_embed
#include "caf/test/unit_test.hpp"

#include <cmath>
#include <mutex>

#include "actor_test.hpp"
#include "caf/all.hpp"
#include "check_saying.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/http_provider_actor.hpp"
#include "et/actors/router.hpp"
#include "et/actors/system_setup.hpp"
#include "et/http/runtime.hpp"
#include "fake_upstream/server.hpp"

// Embeddings through the router over real sockets: router -> HTTP provider
// actors -> the loopback fake upstream, for each protocol, with a fallback from
// a failing first candidate and the ledger's records.

using namespace et;
using namespace et::actors;
using namespace std::chrono_literals;

namespace {

struct system_config : caf::actor_system_config {
  system_config() {
    et::actors::prepare_system(*this); // et's scheduler, as `et` runs it
  }
};

// A ledger that keeps every record it is told about.
struct records {
  std::mutex mutex;
  std::vector<cost::call_record> list;
  std::vector<cost::call_record> copy() {
    std::lock_guard<std::mutex> guard{mutex};
    return list;
  }
};

ledger_actor::behavior_type recording_ledger(ledger_actor::pointer, std::shared_ptr<records> out) {
  auto keep = [out](cost::call_record& r) {
    std::lock_guard<std::mutex> guard{out->mutex};
    out->list.push_back(std::move(r));
  };
  return {
      [=](record_atom, cost::call_record& r) { keep(r); },
      [=](record_atom, uint64_t, cost::call_record& r) { keep(r); },
      [](budget_atom, const cost::budget_query&) { return uint64_t{0}; },
      [](cancel_atom, uint64_t) {},
      [](summary_atom) { return cost::cost_report{}; },
  };
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    s += double(a[i]) * b[i];
  return s;
}

struct fixture {
  fake::server upstream{upstream_options()};
  http::runtime runtime{1};
  std::shared_ptr<http::client> client =
      std::make_shared<http::client>(runtime, http::client_options{});
  system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<records> ledger_records = std::make_shared<records>();
  ledger_actor ledger;
  router_actor router;

  static fake::options upstream_options() {
    fake::options o;
    o.threads = 1;
    return o;
  }

  fixture() {
    if (!upstream.start())
      CAF_FAIL("cannot start the fake upstream");
    auto root = "http://127.0.0.1:" + std::to_string(upstream.port());
    auto yaml = "providers:\n"
                "  oa: {type: openai, base_url: \""
                + root
                + "/v1\"}\n"
                  "  ol: {type: ollama, base_url: \""
                + root
                + "\"}\n"
                  "  ge: {type: gemini, base_url: \""
                + root
                + "\", api_key: k}\n"
                  "  broken: {type: openai, base_url: \""
                + root
                + "/v1\", headers: {x-fake-fault: server_error}}\n"
                  "  huge: {type: ollama, base_url: \""
                + root
                + "\", headers: {x-fake-dim: \"20000\"}}\n"
                  "models:\n"
                  "  emb-oa: {provider: oa, model: text-embedding-3-small, price: {input: 0.02}}\n"
                  "  emb-ol: {provider: ol, model: nomic-embed-text}\n"
                  "  emb-ge: {provider: ge, model: gemini-embedding-001}\n"
                  "  emb-bad: {provider: broken, model: fake-embed}\n"
                  "  emb-huge: {provider: huge, model: fake-embed}\n"
                  "retry: {attempts: 2, initial_backoff: 10ms, max_backoff: 20ms, max_wait: 5s}\n";
    auto settings = et::test::load_settings(yaml, "embed-test.yaml");
    auto shared_client = client;
    router_setup setup;
    setup.settings = settings;
    setup.make_provider = [shared_client](caf::local_actor* parent,
                                          const config::provider& p) -> provider_actor {
      return spawn_http_provider(parent, shared_client, p);
    };
    ledger = sys.spawn(recording_ledger, ledger_records);
    setup.ledger = ledger;
    router = spawn_router(sys, std::move(setup));
  }

  ~fixture() {
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
  }

  static role_embed_request ask(std::string target, std::vector<std::string> fallbacks = {}) {
    role_embed_request r;
    r.id = 9;
    r.target = std::move(target);
    r.fallbacks = std::move(fallbacks);
    r.inputs = {"alpha beta gamma", "alpha beta delta", "tmux panes"};
    return r;
  }

  std::optional<routed_embedding> embed(role_embed_request req, failure* why = nullptr) {
    caf::scoped_actor self{sys};
    std::optional<routed_embedding> out;
    self->request(router, 30s, embed_atom::value, std::move(req))
        .receive([&](routed_embedding& r) { out = std::move(r); },
                 [&](caf::error& e) {
                   if (why)
                     *why = from_caf(e);
                 });
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(router_embed_tests, fixture)

CAF_TEST(each protocol embeds through the router) {
  for (std::string alias : {"emb-oa", "emb-ol", "emb-ge"}) {
    CAF_MESSAGE("alias " << alias);
    failure why;
    auto r = embed(ask(alias), &why);
    if (!r)
      CAF_FAIL("no answer: " << to_string(why));
    CAF_CHECK_EQUAL(r->alias, alias);
    CAF_CHECK_EQUAL(r->attempts, 1);
    CAF_REQUIRE_EQUAL(r->response.vectors.size(), 3u);
    for (const auto& v : r->response.vectors) {
      CAF_CHECK_EQUAL(v.size(), 64u);
      CAF_CHECK_LESS(std::fabs(dot(v, v) - 1.0), 1e-4);
    }
    // Texts sharing words are closer than texts sharing none (whose words hash apart).
    const auto& v = r->response.vectors;
    CAF_CHECK_GREATER(dot(v[0], v[1]), dot(v[0], v[2]) + 0.3);
    CAF_CHECK_GREATER(r->response.tokens.prompt_tokens, 0);
  }
  // The fake saw one request on each embedding endpoint.
  auto by_path = upstream.snapshot().requests_by_path;
  CAF_CHECK_EQUAL(by_path["openai.embed"], 1u);
  CAF_CHECK_EQUAL(by_path["ollama.embed"], 1u);
  CAF_CHECK_EQUAL(by_path["gemini.embed"], 1u);
}

CAF_TEST(a failing first candidate falls back and the ledger records every attempt) {
  failure why;
  auto r = embed(ask("emb-bad", {"emb-oa"}), &why);
  if (!r)
    CAF_FAIL("no answer: " << to_string(why));
  CAF_CHECK_EQUAL(r->alias, "emb-oa");
  CAF_CHECK_EQUAL(r->provider, "oa");
  CAF_CHECK_EQUAL(r->attempts, 3); // two on emb-bad (retry attempts: 2), one on emb-oa
  CAF_REQUIRE_EQUAL(r->fallbacks.size(), 1u);
  CAF_CHECK_EQUAL(r->fallbacks[0].from, "emb-bad");
  CAF_CHECK_EQUAL(r->fallbacks[0].to, "emb-oa");
  CAF_CHECK_EQUAL(to_string(r->fallbacks[0].reason), "server_error");
  // OpenAI's usage: one token per word of the inputs (3 + 3 + 2).
  CAF_CHECK_EQUAL(r->response.tokens.prompt_tokens, 8);
  CAF_REQUIRE(r->response.usd.has_value());
  CAF_CHECK_LESS(std::fabs(*r->response.usd - 8 * 0.02 / 1e6), 1e-12);
  // The router sends each record before the answer: a request to the ledger sent
  // after the answer arrived is handled after them.
  caf::scoped_actor self{sys};
  self->request(ledger, 30s, summary_atom::value)
      .receive([](const cost::cost_report&) {}, [](caf::error&) {});
  auto recs = ledger_records->copy();
  CAF_REQUIRE_EQUAL(recs.size(), 3u);
  for (const auto& rec : recs)
    CAF_CHECK_EQUAL(rec.role, "embed");
  CAF_CHECK_EQUAL(recs[0].alias, "emb-bad");
  CAF_CHECK(!recs[0].ok);
  CAF_CHECK_EQUAL(recs[0].outcome, "server_error");
  CAF_CHECK_EQUAL(recs[2].alias, "emb-oa");
  CAF_CHECK(recs[2].ok);
  CAF_CHECK_EQUAL(recs[2].tokens.prompt_tokens, 8);
  CAF_REQUIRE(recs[2].usd.has_value());
  CAF_CHECK_GREATER(*recs[2].usd, 0.0);
}

CAF_TEST(a dimension past the bound is refused with a typed error) {
  failure why;
  auto r = embed(ask("emb-huge"), &why);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(to_string(why.code), "all_failed"); // a bad_response: it has no fallback
  // 3 vectors of 20000: more numbers than 3 inputs can get back, refused before they are read.
  ET_CHECK_SAYING(why.message.find("at most 16384 components") != std::string::npos, why.message);
}

CAF_TEST(an unknown alias or no inputs fail before anything is sent) {
  failure why;
  CAF_CHECK(!embed(ask("nope"), &why));
  auto none = ask("emb-oa");
  none.inputs.clear();
  CAF_CHECK(!embed(none, &why));
  CAF_CHECK_EQUAL(to_string(why.code), "invalid_input");
  CAF_CHECK_EQUAL(upstream.snapshot().requests, 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
