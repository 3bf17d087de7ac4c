#define CAF_SUITE actors.detail.errors
#include "caf/test/unit_test.hpp"

#include "caf/all.hpp"
#include "caf/binary_deserializer.hpp"
#include "caf/binary_serializer.hpp"
#include "et/actors/detail/error_cause.hpp"
#include "et/actors/detail/errors.hpp"

using namespace et;

CAF_TEST(a failure survives the round trip through caf error) {
  failure f{errc::rate_limited, "slow down", std::chrono::milliseconds{1500}, 429};
  auto e = actors::to_caf(f);
  CAF_CHECK_EQUAL(e.category(), actors::error_category);
  CAF_CHECK_EQUAL(e.code(), static_cast<uint8_t>(errc::rate_limited));
  auto back = actors::from_caf(e);
  CAF_CHECK_EQUAL(back.code, errc::rate_limited);
  CAF_CHECK_EQUAL(back.message, "slow down");
  CAF_CHECK_EQUAL(back.retry_after.count(), 1500);
  CAF_CHECK_EQUAL(back.http_status, 429);
}

CAF_TEST(an error survives serialization as a remote node would send it) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto e = actors::to_caf(failure{errc::context_overflow, "too long", {}, 400});
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  CAF_REQUIRE(!sink(e));
  caf::error loaded;
  caf::binary_deserializer source{sys, buf};
  CAF_REQUIRE(!source(loaded));
  auto back = actors::from_caf(loaded);
  CAF_CHECK_EQUAL(back.code, errc::context_overflow);
  CAF_CHECK_EQUAL(back.message, "too long");
  CAF_CHECK_EQUAL(back.http_status, 400);
}

CAF_TEST(where a failure got to and its cause survive serialization) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  failure f{errc::all_failed, "every candidate failed", std::chrono::milliseconds{700}, 0};
  f.billed = true;
  failure unsent{errc::timeout, "connect timeout", {}, 0};
  unsent.unsent = true;
  for (const auto& e :
       {actors::to_caf(f, actors::error_cause{errc::timeout, 0}), actors::to_caf(unsent)}) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    CAF_REQUIRE(!sink(e));
    caf::error loaded;
    caf::binary_deserializer source{sys, buf};
    CAF_REQUIRE(!source(loaded));
    auto back = actors::from_caf(loaded);
    auto sent = actors::from_caf(e);
    CAF_CHECK_EQUAL(back.message, sent.message);
    CAF_CHECK_EQUAL(back.unsent, sent.unsent);
    CAF_CHECK_EQUAL(back.billed, sent.billed);
    CAF_CHECK_EQUAL(back.retry_after.count(), sent.retry_after.count());
    CAF_CHECK_EQUAL(actors::cause_of(loaded).has_value(), actors::cause_of(e).has_value());
  }
  auto all = actors::from_caf(actors::to_caf(f, actors::error_cause{errc::timeout, 0}));
  CAF_CHECK(all.billed && !all.unsent);
  CAF_CHECK_EQUAL(all.retry_after.count(), 700);
  auto cause = actors::cause_of(actors::to_caf(f, actors::error_cause{errc::timeout, 504}));
  CAF_REQUIRE(cause);
  CAF_CHECK_EQUAL(cause->code, errc::timeout);
  CAF_CHECK_EQUAL(cause->http_status, 504);
  auto back = actors::from_caf(actors::to_caf(unsent));
  CAF_CHECK(back.unsent && !back.billed);
  CAF_CHECK(!actors::cause_of(actors::to_caf(unsent)));
}

CAF_TEST(caf system errors map to the nearest et class) {
  CAF_CHECK_EQUAL(actors::from_caf(caf::sec::request_timeout).code, errc::timeout);
  CAF_CHECK_EQUAL(actors::from_caf(caf::sec::request_receiver_down).code, errc::provider_down);
  CAF_CHECK_EQUAL(actors::from_caf(caf::sec::runtime_error).code, errc::provider_down);
  CAF_CHECK_EQUAL(actors::from_caf(caf::sec::cannot_connect_to_node).code, errc::node_down);
}

CAF_TEST(the renderer prints the class the message and the retry delay) {
  auto e =
      actors::to_caf(failure{errc::rate_limited, "quota", std::chrono::milliseconds{2000}, 429});
  auto text = actors::render_error(e.code(), e.category(), e.context());
  CAF_CHECK_EQUAL(text, "rate_limited: quota (HTTP 429, retry after 2000ms)");
}

CAF_TEST(an errc converts to a caf error implicitly) {
  caf::error e = errc::budget_exceeded;
  CAF_CHECK_EQUAL(actors::from_caf(e).code, errc::budget_exceeded);
}
