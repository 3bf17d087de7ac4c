#define CAF_SUITE actors.run_context
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "et/actors/router_state.hpp"
#include "et/actors/run/run_state.hpp"
#include "et/provider/mock_engine.hpp"
#include "run_test.hpp"

// Retrieval for each subtask under the deterministic coordinator: the run hands each
// subtask's text to its context source and, when the run has an embedding model, the
// text's embedding too, asked of the router in one call before the subtasks run.

using namespace et;
using namespace et::actors;
using namespace et::test;

namespace {

// Three subtasks; the worker's answer echoes its prompt. "embedder" is the mock's
// embedding model (a hashed bag of words, dimension 64).
const char* three_parts_yaml = R"(
providers:
  boss:
    type: mock
    mock:
      mode: script
      script:
        - {match: "Reply in exactly this format", reply: "## Summary\nThree parts.\n\n## Subtasks\n1. Write the PARSER-PART\n2. Write the TESTS-PART\n3. Write the DOCS-PART\n"}
        - {match: "", reply: "SYNTHESIS"}
  work:
    type: mock
    mock:
      mode: script
      script:
        - {match: "", reply: "DONE {prompt}"}
models:
  planner: {provider: boss, model: planner}
  good: {provider: work, model: good}
  embedder: {provider: work, model: embed-a}
roles:
  mayor: {model: planner}
  polecat: {model: good}
retry: {attempts: 1}
)";

// What the mock's embedding model gives for `text`.
std::vector<float> embedding_of(const std::string& text) {
  embed_request req;
  req.model = "embed-a";
  req.inputs = {text};
  return provider::mock_embed(req).vectors.at(0);
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// A new run of the three-part task.
store::run_record three_parts(run_fixture& f) {
  store::run_record start;
  start.header = f.header("three parts");
  return start;
}

// The scripted source's answer for `text`: one excerpt, from src/a.cpp.
context::ranked_excerpts excerpts_for(const std::string& text, bool hybrid) {
  return {{"CTX(" + text + ")", {"src/a.cpp:1-2"}}, hybrid};
}

// Steps `run` until its embedding call is out (its answer is still hops away); its state.
run_detail::run_state& step_to_retrieving(run_fixture& f, const run_actor& run) {
  auto& st = f.deref<caf::stateful_actor<run_detail::run_state, run_actor::base>>(run).state;
  for (int i = 0; i < 10'000 && st.now != run_detail::stage::retrieving; ++i)
    CAF_REQUIRE(f.sched.try_run_once());
  CAF_REQUIRE(st.now == run_detail::stage::retrieving);
  return st;
}

// How many noted lines hold `part`.
std::size_t count_said(run_fixture& f, std::string_view part) {
  std::size_t n = 0;
  for (const auto& l : f.lines())
    n += l.find(part) != std::string::npos;
  return n;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_context_tests, run_fixture)

CAF_TEST(each subtask gets the excerpts retrieved for its text and the record keeps sources) {
  load(three_parts_yaml);
  std::vector<std::string> asked;
  context_for = [&asked](const std::string& text, const std::vector<float>* vector) {
    CAF_CHECK(vector == nullptr); // no embedding model: BM25 alone
    asked.push_back(text);
    return context::ranked_excerpts{
        {"CTX(" + text + ")", {"src/" + std::to_string(asked.size()) + ".cpp:1-2"}}, false};
  };
  auto r = complete(spawn(three_parts(*this)));
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->subtasks.size(), 3u);
  // The worker's answer echoes its prompt: the excerpts of its own subtask are in it.
  auto tests = r->find(2)->output;
  CAF_CHECK(has(tests, "## Project context\nCTX(Write the TESTS-PART)"));
  CAF_CHECK(!has(tests, "CTX(Write the PARSER-PART)"));
  CAF_CHECK_EQUAL(asked.size(), 3u);
  for (const auto& s : r->subtasks)
    CAF_CHECK_EQUAL(s.context.size(), 1u);
  CAF_CHECK(said("context: src/"));
  CAF_CHECK(!said("context (hybrid)"));
  auto journaled = store::read_run(runs() / "run-1");
  CAF_REQUIRE(journaled);
  CAF_CHECK_EQUAL(journaled->find(2)->context, r->find(2)->context);
}

CAF_TEST(subtasks rank with the embeddings of their own texts) {
  load(three_parts_yaml);
  std::vector<std::pair<std::string, std::vector<float>>> asked;
  context_for = [&asked](const std::string& text, const std::vector<float>* vector) {
    asked.emplace_back(text, vector != nullptr ? *vector : std::vector<float>{});
    return excerpts_for(text, vector != nullptr);
  };
  embed_subtasks = {"embedder", {}};
  auto r = complete(spawn(three_parts(*this)));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  CAF_REQUIRE_EQUAL(asked.size(), 3u);
  for (const auto& [text, vector] : asked) {
    CAF_CHECK_EQUAL(vector.size(), 64u);
    CAF_CHECK(vector == embedding_of(text));
  }
  CAF_CHECK(asked[0].second != asked[1].second);
  CAF_CHECK(has(r->find(2)->output, "CTX(Write the TESTS-PART)"));
  CAF_CHECK_EQUAL(count_said(*this, "context (hybrid): src/a.cpp:1-2"), 3u);
  CAF_CHECK(!said("BM25 only"));
}

CAF_TEST(a failed embedding leaves the subtasks ranked by BM25 and is said once) {
  load(three_parts_yaml);
  int plain = 0;
  context_for = [&plain](const std::string& text, const std::vector<float>* vector) {
    plain += vector == nullptr;
    return excerpts_for(text, vector != nullptr);
  };
  embed_subtasks = {"no-such-model", {}};
  auto r = complete(spawn(three_parts(*this)));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  CAF_CHECK_EQUAL(plain, 3);
  CAF_CHECK_EQUAL(count_said(*this,
                             "warning: subtask context ranked by BM25 only: embedding the subtasks "
                             "failed: "),
                  1u);
  CAF_CHECK(has(r->find(1)->output, "CTX(Write the PARSER-PART)"));
  CAF_CHECK(!said("context (hybrid)"));
}

CAF_TEST(an embedding by another model than the index s is not used) {
  load(three_parts_yaml);
  int plain = 0;
  context_for = [&plain](const std::string& text, const std::vector<float>* vector) {
    plain += vector == nullptr;
    return excerpts_for(text, vector != nullptr);
  };
  embed_subtasks = {"embedder", {}, "other-model"};
  auto r = complete(spawn(three_parts(*this)));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  CAF_CHECK_EQUAL(plain, 3);
  CAF_CHECK_EQUAL(count_said(*this, "warning: subtask context ranked by BM25 only: embedder "
                                    "answered with model embed-a, not the index's other-model"),
                  1u);
  CAF_CHECK(!said("context (hybrid)"));
}

CAF_TEST(a subtask the index could not rank with its embedding is labelled BM25 and said once) {
  load(three_parts_yaml);
  int given = 0;
  context_for = [&given](const std::string& text, const std::vector<float>* vector) {
    given += vector != nullptr;
    return context::ranked_excerpts{
        {"CTX(" + text + ")", {"src/a.cpp:1-2"}}, false, "Qdrant: connection refused"};
  };
  embed_subtasks = {"embedder", {}, "embed-a"};
  auto r = complete(spawn(three_parts(*this)));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(given, 3);
  CAF_CHECK_EQUAL(count_said(*this, "warning: subtask context ranked by BM25 only: the index "
                                    "could not rank with the subtasks' embeddings: Qdrant: "
                                    "connection refused"),
                  1u);
  CAF_CHECK_EQUAL(count_said(*this, "] context: src/a.cpp:1-2"), 3u);
  CAF_CHECK(!said("context (hybrid)"));
}

CAF_TEST(a stop while the subtasks are embedded ends the run before they run) {
  load(three_parts_yaml);
  int asked = 0;
  context_for = [&asked](const std::string&, const std::vector<float>*) {
    ++asked;
    return context::ranked_excerpts{};
  };
  embed_subtasks = {"embedder", {}};
  auto run = spawn(three_parts(*this));
  auto rh = self->request(run, caf::infinite, execute_atom::value);
  step_to_retrieving(*this, run);
  self->send(run, cancel_atom::value, int32_t{2});
  settle();
  CAF_REQUIRE(finished());
  auto r = answer_of<store::run_record>(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::interrupted);
  CAF_CHECK_EQUAL(asked, 0);
  CAF_REQUIRE_EQUAL(r->subtasks.size(), 3u);
  for (const auto& s : r->subtasks)
    CAF_CHECK_EQUAL(s.state, store::subtask_state::pending);
  CAF_CHECK(!said("BM25 only"));
}

CAF_TEST(a stop while the subtasks are embedded cancels the call at the router) {
  load(three_parts_yaml);
  context_for = [](const std::string&, const std::vector<float>*) {
    return context::ranked_excerpts{};
  };
  embed_subtasks = {"embedder", {}};
  auto run = spawn(three_parts(*this));
  auto rh = self->request(run, caf::infinite, execute_atom::value);
  step_to_retrieving(*this, run);
  auto& jobs = deref<caf::stateful_actor<router_state, router_impl::base>>(router).state.jobs;
  // The router takes the call and passes it on; the provider's answer is not back yet.
  expect((embed_atom, role_embed_request), from(run).to(router));
  CAF_REQUIRE_EQUAL(jobs.size(), 1u);
  self->send(run, cancel_atom::value, int32_t{2});
  expect((cancel_atom, int32_t), from(self).to(run).with(_, int32_t{2}));
  // The run's first embedding call (ids from 1 << 61, apart from the roles' and the gateway's).
  expect((cancel_atom, uint64_t), from(run).to(router).with(_, (uint64_t{1} << 61) | 1));
  CAF_CHECK(jobs.empty());
  settle();
  CAF_REQUIRE(finished());
  auto r = answer_of<store::run_record>(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::interrupted);
}

CAF_TEST_FIXTURE_SCOPE_END()
