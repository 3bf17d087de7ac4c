#define CAF_SUITE actors.remote_hostile
#define FAIL(msg) CAF_FAIL(msg)
#include "remote_test.hpp"

#include "et/actors/remote_provider.hpp"

// What a node sends back is a peer's word: its errors, its pieces and its alias list are
// bounded and checked before et uses or shows them.

using namespace remote_test;

namespace {

// A node that answers with whatever `answer` says: an error, pieces, aliases.
struct hostile_state {
  int cancels = 0; ///< cancels it was sent
  static inline const char* name = "test.hostile_node";
};

node_actor::behavior_type hostile_node(node_actor::stateful_pointer<hostile_state> self) {
  return {
      [](status_atom) {
        routing::node_status st;
        st.aliases.push_back(model_info{"ok", "sim/ok", int64_t{-5}});
        st.aliases.push_back(model_info{std::string(100'000, 'x'), "", std::nullopt});
        st.aliases.push_back(model_info{"named", std::string(10'000, 'y'), std::nullopt});
        return st;
      },
      [](complete_atom, const role_request&) -> caf::result<routed_response> {
        failure f;
        f.code = static_cast<errc>(250); // a class no build has
        f.message = "line one\nline two\x1b]52;c;x\x07" + std::string(1'000'000, 'z');
        f.retry_after = std::chrono::milliseconds{INT64_MAX};
        f.http_status = -7;
        return to_caf(f);
      },
      [=](stream_atom, const role_request& r) -> caf::result<routed_response> {
        auto sink = caf::actor_cast<chunk_sink>(self->current_sender());
        stream_chunk c;
        c.id = r.id;
        c.delta.text = std::string(1u << 20, 'p'); // 1 MiB a piece, 70 of them
        for (int i = 0; i < 70; ++i)
          self->send(sink, chunk_atom::value, c);
        return routed_response{}; // after the pieces: a cap that never came lets it through
      },
      [=](cancel_atom, uint64_t) { ++self->state.cancels; },
  };
}

struct fixture : test_coordinator_fixture<test_config> {
  node_actor node = sys.spawn(hostile_node);
  caf::actor connector =
      sys.spawn(flaky_connector, 0, caf::sec::none, caf::actor_cast<caf::actor>(node));
  remote_provider_actor remote;

  fixture() {
    config::node gpu;
    gpu.name = "gpu";
    gpu.host = "127.0.0.1";
    gpu.port = 7700;
    remote = spawn_remote_provider(self.ptr(), gpu, connector);
  }

  ~fixture() {
    for (const auto& a :
         {caf::actor_cast<caf::actor>(remote), caf::actor_cast<caf::actor>(node), connector})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  // How the remote provider ends a call it was asked with `Atom` (the node fails them all).
  template <class Atom>
  failure failure_of(Atom atom) {
    chat_request req;
    req.model = "big";
    req.messages.push_back(message{et::role::user, "hello", {}, {}, {}});
    auto rh = self->request(remote, caf::infinite, atom, uint64_t{1}, req);
    sched.run();
    auto r = answer_of<chat_response>(rh);
    CAF_REQUIRE(!r);
    return from_caf(r.error());
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(remote_hostile_tests, fixture)

CAF_TEST(a node s error is one bounded line of a class this build knows) {
  auto f = failure_of(complete_atom::value);
  CAF_CHECK(errc_from_string(to_string(f.code)).has_value());
  CAF_CHECK_LESS(f.message.size(), 2200u);
  CAF_CHECK(f.message.find('\n') == std::string::npos);
  CAF_CHECK(f.message.find('\x1b') == std::string::npos);
  CAF_CHECK(f.message.rfind("node gpu: line one line two", 0) == 0);
  CAF_CHECK(f.retry_after <= std::chrono::hours{24});
  CAF_CHECK_EQUAL(f.http_status, 0);
}

CAF_TEST(a node that streams past any answer s size is cut off and cancelled) {
  auto f = failure_of(stream_atom::value);
  CAF_CHECK_EQUAL(f.code, errc::bad_response); // the node's fault: fall back from it
  CAF_CHECK(f.message.find("streamed more than 64 MiB") != std::string::npos);
  CAF_CHECK_EQUAL(deref<node_actor::stateful_base<hostile_state>>(node).state.cancels, 1);
  size_t passed = 0;
  for (bool more = true; more;) {
    more = false;
    self->receive(
        [&](chunk_atom, stream_chunk& c) {
          passed += c.delta.text.size();
          more = true;
        },
        caf::after(std::chrono::seconds{0}) >> [] {});
  }
  CAF_CHECK_LESS_OR_EQUAL(passed, size_t{64} << 20);
}

CAF_TEST(a node s alias list keeps only what any listing keeps) {
  auto rh = self->request(remote, caf::infinite, models_atom::value);
  sched.run();
  auto r = answer_of<std::vector<model_info>>(rh);
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->size(), 1u);
  CAF_CHECK_EQUAL((*r)[0].id, "ok");
  CAF_CHECK(!(*r)[0].context_window); // -5 is no window
}

CAF_TEST_FIXTURE_SCOPE_END()
