#define CAF_SUITE libet.routing.node
#include "caf/test/unit_test.hpp"

#include "et/routing/node.hpp"

using namespace et;
using namespace std::chrono_literals;

CAF_TEST(the app identifier names et and the protocol major) {
  CAF_CHECK_EQUAL(routing::node_app_identifier(),
                  "et/" + std::to_string(routing::node_protocol_major));
}

CAF_TEST(a node is named by server name or else the host name) {
  config::server s;
  s.name = "gpu-box";
  CAF_CHECK_EQUAL(routing::node_name(s), "gpu-box");
  s.name.clear();
  CAF_CHECK(!routing::node_name(s).empty());
}

CAF_TEST(the aliases of a node are sorted with their provider and model) {
  config::settings s;
  s.models["zeta"] = config::model_alias{"zeta", "p", "z-1", {}, {}, {}, {}, {}, 128000, {}};
  s.models["alpha"] = config::model_alias{"alpha", "q", "a-1", {}, {}, {}, {}, {}, {}, {}};
  auto list = routing::node_aliases(s);
  CAF_REQUIRE_EQUAL(list.size(), 2u);
  CAF_CHECK_EQUAL(list[0].id, "alpha");
  CAF_CHECK_EQUAL(list[0].display_name, "q/a-1");
  CAF_CHECK_EQUAL(list[1].id, "zeta");
  CAF_CHECK(list[1].context_window == std::optional<int64_t>{128000});
}

CAF_TEST(a request log line has alias mode tokens latency and outcome on one line) {
  routing::request_log ok{"coder", true, usage{120, 45, 0, 0, 0}, 1234ms, "ok", ""};
  CAF_CHECK_EQUAL(routing::format_request_log(ok),
                  "alias=coder mode=stream tokens=120+45 latency=1234ms outcome=ok");
  routing::request_log bad{"coder", false, usage{}, 5ms, "overloaded", "busy\nnow"};
  CAF_CHECK_EQUAL(routing::format_request_log(bad),
                  "alias=coder mode=complete tokens=0+0 latency=5ms outcome=overloaded (busy now)");
}

CAF_TEST(a health line says ok with the model count or why it failed) {
  routing::provider_health ok{"ol", "http://127.0.0.1:11434", true, 3, 12, ""};
  CAF_CHECK_EQUAL(routing::format_health(ok), "ok  3 models  12 ms");
  ok.models = 1;
  CAF_CHECK_EQUAL(routing::format_health(ok), "ok  1 model  12 ms");
  routing::provider_health down{"ol", "http://127.0.0.1:1", false, 0, 4, "network: refused"};
  CAF_CHECK_EQUAL(routing::format_health(down), "FAILED  network: refused  (4 ms)");
}
