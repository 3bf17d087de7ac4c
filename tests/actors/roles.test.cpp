#define CAF_SUITE actors.roles
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actor_test.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/actors/mock_provider.hpp"
#include "et/actors/roles/mayor.hpp"
#include "et/actors/roles/polecat.hpp"
#include "et/actors/roles/refinery.hpp"
#include "et/actors/roles/witness.hpp"
#include "et/actors/router.hpp"

using namespace et;
using namespace et::actors;
using namespace et::test;
using namespace std::chrono_literals;

namespace {

// Every role's model is a scripted mock; rules match the prompt text.
const char* yaml = R"(
providers:
  alpha:
    type: mock
    mock:
      mode: script
      script:
        - {match: "BOSS-PERSONA", reply: "custom prompt seen"}
        - {match: "Reply in exactly this format", reply: "## Summary\nParser first.\n\n## Subtasks\n1. Write the parser\n2. Write the tests [depends: 1]\n3. Write the docs [depends: 1] [specialist: writer]\n4. Package it [depends: 2, 3]\n"}
        - {match: "WORK-BOLD", reply: "**SCORE:** 7\n- add tests"}
        - {match: "WORK-SLASH", reply: "Solid work.\nScore: 7/10"}
        - {match: "WORK-NOSCORE", reply: "Looks fine to me."}
        - {match: "", reply: "alpha says {prompt}"}
  beta:
    type: mock
    mock: {mode: script, script: [{match: "", reply: "beta answers"}]}
  echoer:
    type: mock
    mock: {mode: echo}
  broken:
    type: mock
    mock: {mode: echo}
models:
  planner: {provider: alpha, model: planner-model}
  worker-a: {provider: alpha, model: wa}
  worker-b: {provider: beta, model: wb}
  echo: {provider: echoer, model: echo-model}
  bad: {provider: broken, model: bad-model}
roles:
  mayor: {model: planner}
  boss: {model: planner, system_prompt: "You are BOSS-PERSONA, the lead."}
  scribe: {model: echo}
  polecat:
    model: worker-a
    pool: [worker-a, worker-b]
  crew: {model: echo}
  witness: {model: planner}
  refinery: {model: echo}
  faulty: {model: bad}
cooldown: {failures: 100, window: 60s, period: 30s}
specialists:
  writer: {model: planner, description: writes documentation}
)";

// Collects streamed pieces in arrival order.
struct collector_state {
  std::vector<stream_chunk> pieces;
  static inline const char* name = "collector";
};

chunk_sink::behavior_type collector(chunk_sink::stateful_pointer<collector_state> self) {
  return {[=](chunk_atom, const stream_chunk& c) { self->state.pieces.push_back(c); }};
}

struct fixture : test_coordinator_fixture<test_config> {
  std::shared_ptr<config::settings> settings;
  router_actor router;

  fixture() {
    settings = load_settings(yaml, "roles-test.yaml");
    // Every call to "broken" is a request the provider refuses.
    settings->providers["broken"].mock.faults.push_back(
        config::mock_fault{errc::bad_request, {}, 1.0, 0ms, "malformed request"});
    router = spawn_router(
        sys, settings,
        [](caf::local_actor* parent, const config::provider& p) -> provider_actor {
          return spawn_mock_provider(parent, std::make_shared<provider::mock_engine>(p.mock), {});
        },
        {}, 7);
    sched.run();
  }

  ~fixture() { caf::anon_send_exit(router, caf::exit_reason::user_shutdown); }

  // Runs everything, then takes the reply of `rh` (a value or an error).
  template <class T, class Handle>
  caf::expected<T> reply(Handle& rh) {
    sched.run();
    return answer_of<T>(rh);
  }

  polecat_state& polecat_of(const polecat_actor& p) {
    return deref<caf::stateful_actor<polecat_state, polecat_actor::base>>(p).state;
  }
};

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(roles_tests, fixture)

CAF_TEST(the mayor decomposes a task into subtasks with dependencies and waves) {
  auto mayor = spawn_mayor(sys, router, *settings);
  auto rh = self->request(mayor, caf::infinite, decompose_atom::value, std::string{"Build a CLI"},
                          uint32_t{5});
  auto d = reply<plan::decomposition>(rh);
  CAF_REQUIRE(d);
  CAF_CHECK_EQUAL(d->summary, "Parser first.");
  CAF_REQUIRE_EQUAL(d->subtasks.size(), 4u);
  CAF_CHECK_EQUAL(d->subtasks[0].text, "Write the parser");
  CAF_CHECK_EQUAL(d->subtasks[2].specialist, "writer");
  CAF_CHECK_EQUAL(d->subtasks[3].depends_on, (std::vector<int>{2, 3}));
  CAF_CHECK_EQUAL(d->proposed, 4u);
  CAF_CHECK(d->warnings.empty());
  auto w = plan::waves(*d);
  CAF_CHECK_EQUAL(w, (std::vector<std::vector<int>>{{1}, {2, 3}, {4}}));
}

CAF_TEST(the mayor reports subtasks over the cap) {
  auto mayor = spawn_mayor(sys, router, *settings);
  auto rh = self->request(mayor, caf::infinite, decompose_atom::value, std::string{"Build a CLI"},
                          uint32_t{2});
  auto d = reply<plan::decomposition>(rh);
  CAF_REQUIRE(d);
  CAF_CHECK_EQUAL(d->subtasks.size(), 2u);
  CAF_CHECK_EQUAL(d->proposed, 4u);
  CAF_CHECK(!d->warnings.empty());
}

CAF_TEST(a configured system prompt reaches the provider) {
  auto boss = spawn_mayor(sys, router, *settings, "boss");
  auto rh = self->request(boss, caf::infinite, coordinate_atom::value, std::string{"Build it"},
                          plan::decomposition{});
  auto brief = reply<std::string>(rh);
  CAF_REQUIRE(brief);
  CAF_CHECK_EQUAL(*brief, "custom prompt seen");
  // The built-in mayor prompt does not match that rule.
  auto mayor = spawn_mayor(sys, router, *settings);
  auto rh2 = self->request(mayor, caf::infinite, coordinate_atom::value, std::string{"Build it"},
                           plan::decomposition{});
  auto plain = reply<std::string>(rh2);
  CAF_REQUIRE(plain);
  CAF_CHECK_EQUAL(plain->substr(0, 10), "alpha says");
}

CAF_TEST(the synthesis prompt carries the results in order with failures marked) {
  // "scribe" is a custom role acting as mayor, answered by an echoing model.
  auto scribe = spawn_mayor(sys, router, *settings, "scribe");
  std::vector<roles::worker_result> results = {{1, "parser", "PARSER-OUT", true, ""},
                                               {2, "tests", "", false, "timeout: too slow"},
                                               {3, "docs", "DOCS-OUT", true, ""}};
  auto rh = self->request(scribe, caf::infinite, synthesize_atom::value, std::string{"Build it"},
                          results);
  auto text = reply<std::string>(rh);
  CAF_REQUIRE(text);
  auto a = text->find("PARSER-OUT");
  auto b = text->find("### Result 2: tests (FAILED)");
  auto c = text->find("DOCS-OUT");
  CAF_REQUIRE(a != std::string::npos && b != std::string::npos && c != std::string::npos);
  CAF_CHECK(a < b && b < c);
  CAF_CHECK(has(*text, "timeout: too slow"));
}

CAF_TEST(a polecat bound to a pool member goes to that members deployment) {
  auto worker = spawn_polecat(sys, router, *settings, "worker-b");
  roles::work_order order;
  order.subtask = "Write the parser";
  auto rh = self->request(worker, caf::infinite, execute_atom::value, order);
  auto r = reply<routed_response>(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "worker-b");
  CAF_CHECK_EQUAL(r->provider, "beta");
  CAF_CHECK_EQUAL(r->response.content, "beta answers");
  CAF_CHECK(r->response.tokens.completion_tokens > 0);
}

CAF_TEST(a custom role acts as a worker) {
  auto crew = spawn_polecat(sys, router, *settings, "", "crew");
  roles::work_order order;
  order.subtask = "CREW-JOB";
  order.brief = "CREW-BRIEF";
  auto rh = self->request(crew, caf::infinite, execute_atom::value, order);
  auto r = reply<routed_response>(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "echo");
  CAF_CHECK(has(r->response.content, "## Brief\nCREW-BRIEF"));
  CAF_CHECK(has(r->response.content, "## Your subtask\nCREW-JOB"));
}

CAF_TEST(streamed pieces reach the sink in order before the reply) {
  auto sink = sys.spawn(collector);
  auto crew = spawn_polecat(sys, router, *settings, "", "crew");
  roles::work_order order;
  order.subtask = "one two three";
  auto rh = self->request(crew, caf::infinite, stream_atom::value, order, sink);
  auto r = reply<routed_response>(rh);
  CAF_REQUIRE(r);
  auto& pieces = deref<caf::stateful_actor<collector_state, chunk_sink::base>>(sink).state.pieces;
  CAF_REQUIRE(!pieces.empty());
  std::string joined;
  for (size_t i = 0; i < pieces.size(); ++i) {
    CAF_CHECK_EQUAL(pieces[i].seq, i);
    joined += pieces[i].delta.text;
  }
  CAF_CHECK_EQUAL(joined, r->response.content);
  CAF_CHECK(polecat_of(crew).streams.empty());
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
}

CAF_TEST(witness scores are read in every written form) {
  auto witness = spawn_witness(sys, router, *settings);
  auto rh = self->request(witness, caf::infinite, review_atom::value,
                          roles::review_request{"Build it", "WORK-BOLD"});
  auto v = reply<roles::verdict>(rh);
  CAF_REQUIRE(v);
  CAF_CHECK_EQUAL(v->score, 7.0);
  CAF_CHECK_EQUAL(v->note, "- add tests");
  auto rh2 = self->request(witness, caf::infinite, validate_atom::value,
                           roles::validation_request{"WORK-SLASH", {"compiles"}, {}, {}});
  auto v2 = reply<std::string>(rh2); // the whole answer: the run reads its verdict lines
  CAF_REQUIRE(v2);
  CAF_CHECK_EQUAL(*v2, "Solid work.\nScore: 7/10");
}

CAF_TEST(an unparseable score is an invalid input error never a pass) {
  auto witness = spawn_witness(sys, router, *settings);
  auto rh = self->request(witness, caf::infinite, review_atom::value,
                          roles::review_request{"", "WORK-NOSCORE"});
  auto v = reply<roles::verdict>(rh);
  CAF_REQUIRE(!v);
  auto f = from_caf(v.error());
  CAF_CHECK(f.code == errc::invalid_input);
  CAF_CHECK(has(f.message, "Looks fine to me."));
}

CAF_TEST(the refinery includes the feedback) {
  auto refinery = spawn_refinery(sys, router, *settings);
  auto rh = self->request(refinery, caf::infinite, refine_atom::value,
                          roles::refine_request{"DRAFT-TEXT", "ADD-ERROR-HANDLING", ""});
  auto text = reply<std::string>(rh);
  CAF_REQUIRE(text);
  CAF_CHECK(has(*text, "## Feedback\nADD-ERROR-HANDLING"));
  CAF_CHECK(has(*text, "## Text\n<<<BEGIN "));
  // The mock echoes the prompt: the end mark that closed it was an echo, and went.
  CAF_CHECK(has(*text, ">>>\nDRAFT-TEXT\n"));
  CAF_CHECK(!has(*text, ">>>\nDRAFT-TEXT\n<<<END "));
}

CAF_TEST(a router error passes through every role typed) {
  auto mayor = spawn_mayor(sys, router, *settings, "faulty");
  auto rh1 =
      self->request(mayor, caf::infinite, decompose_atom::value, std::string{"x"}, uint32_t{3});
  auto d = reply<plan::decomposition>(rh1);
  CAF_REQUIRE(!d);
  CAF_CHECK(from_caf(d.error()).code == errc::bad_request);
  CAF_CHECK(has(from_caf(d.error()).message, "malformed request"));
  auto worker = spawn_polecat(sys, router, *settings, "", "faulty");
  auto rh2 = self->request(worker, caf::infinite, execute_atom::value, roles::work_order{});
  auto r = reply<routed_response>(rh2);
  CAF_REQUIRE(!r);
  CAF_CHECK(from_caf(r.error()).code == errc::bad_request);
  auto witness = spawn_witness(sys, router, *settings, "faulty");
  auto rh3 = self->request(witness, caf::infinite, review_atom::value, roles::review_request{});
  auto v = reply<roles::verdict>(rh3);
  CAF_REQUIRE(!v);
  CAF_CHECK(from_caf(v.error()).code == errc::bad_request);
  auto refinery = spawn_refinery(sys, router, *settings, "faulty");
  auto rh4 = self->request(refinery, caf::infinite, refine_atom::value,
                           roles::refine_request{"x", "", ""});
  auto s = reply<std::string>(rh4);
  CAF_REQUIRE(!s);
  CAF_CHECK(from_caf(s.error()).code == errc::bad_request);
}

CAF_TEST_FIXTURE_SCOPE_END()
