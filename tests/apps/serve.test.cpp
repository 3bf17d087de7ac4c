#define CAF_SUITE apps.serve
#include "serve_test.hpp"

// `et serve` nodes in a run: a pool over TLS nodes, a node killed, frozen or
// stopped mid run, remote costs. Connections, certificates and hostile peers
// are in serve_access.test.cpp.

using namespace serve_test;

CAF_TEST_FIXTURE_SCOPE(serve_tests, fixture)

CAF_TEST(a pool spanning a local member and two TLS nodes completes in order) {
  auto [node1, port1] = serve("node1");
  auto [node2, port2] = serve("node2");
  auto r = et::session::run_process(run_args(caller_config(port1, port2)));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->exit_code, 0);
  auto alpha = r->out.find("## 1. write alpha\n\nALPHA by ");
  auto beta = r->out.find("## 2. write beta\n\nBETA by ");
  auto gamma = r->out.find("## 3. write gamma\n\nGAMMA by ");
  CAF_CHECK(alpha != std::string::npos && beta != std::string::npos && gamma != std::string::npos);
  CAF_CHECK(alpha < beta && beta < gamma);
  // Three members, three subtasks: both nodes took one.
  CAF_CHECK(has(r->out, " by node1\n"));
  CAF_CHECK(has(r->out, " by node2\n"));
  CAF_CHECK(has(r->err, "done by coder@node1"));
  // Each node logged its request, with its tokens.
  CAF_CHECK(eventually([&] { return has(node1->err(), "alias=coder mode=stream tokens="); }));
  CAF_CHECK(has(node1->err(), "outcome=ok"));
  // et nodes sees both, with TLS, their aliases and nothing in flight.
  auto nodes = et::session::run_process(
      {et_binary, "nodes", "--config", caller_config(port1, port2).string()});
  CAF_REQUIRE(nodes);
  CAF_CHECK_EQUAL(nodes->exit_code, 0);
  CAF_CHECK(has(nodes->out, "node1  127.0.0.1:" + std::to_string(port1) + "  tls on  reachable"));
  CAF_CHECK(has(nodes->out, "in flight 0/64"));
  CAF_CHECK(has(nodes->out, "    coder@node2  sim/node2-model\n"));
  // SIGTERM stops a node cleanly.
  CAF_CHECK_EQUAL(node1->stop(SIGTERM), 0);
  CAF_CHECK(has(node1->err(), "et serve: stopped"));
}

CAF_TEST(killing a node mid run moves its subtask and the run completes) {
  auto [node1, port1] = serve("node1");
  auto [node2, port2] = serve("node2", "60s"); // node2 would take a minute
  auto config = caller_config(port1, port2);
  child run{run_args(config), dir / "run.out", dir / "run.err"};
  CAF_REQUIRE(eventually([&] { return has(run.err(), "started on coder@node2"); }));
  node2->stop(SIGKILL);
  CAF_CHECK_EQUAL(run.wait(), 0);
  auto out = run.out();
  CAF_CHECK(has(out, "ALPHA by ") && has(out, "BETA by ") && has(out, "GAMMA by "));
  CAF_CHECK(!has(out, "by node2"));
  CAF_CHECK(has(run.err(), "attempt on coder@node2 failed: "));
  // et nodes now reports node2 unreachable and exits 1.
  auto nodes = et::session::run_process({et_binary, "nodes", "--config", config.string()});
  CAF_REQUIRE(nodes);
  CAF_CHECK_EQUAL(nodes->exit_code, 1);
  CAF_CHECK(has(nodes->out, "node2  127.0.0.1:" + std::to_string(port2) + "  tls on  UNREACHABLE"));
}

CAF_TEST(a frozen node is noticed by heartbeats and its subtask moves) {
  auto [node1, port1] = serve("node1");
  auto [node2, port2] = serve("node2", "60s");
  // The remote requests may take 60 s: only the heartbeats can end this run early.
  auto config = caller_config(port1, port2, "caller", "ca",
                              "network: {heartbeat: 250ms, peer_timeout: 2s}\n");
  child run{run_args(config), dir / "run.out", dir / "run.err"};
  CAF_REQUIRE(eventually([&] { return has(run.err(), "started on coder@node2"); }));
  node2->signal(SIGSTOP); // alive but silent, as a hung host is
  // The run ends (also when the node froze mid-handshake, which CAF cannot
  // shut down: et then exits anyway after a grace period and says so).
  CAF_CHECK_EQUAL(run.wait(), 0);
  CAF_CHECK(!has(run.out(), "by node2"));
  CAF_CHECK(has(run.out(), "ALPHA by ") && has(run.out(), "BETA by ")
            && has(run.out(), "GAMMA by "));
  // Noticed as a lost node, not as a request that timed out.
  CAF_CHECK(has(run.err(), "attempt on coder@node2 failed: "));
  CAF_CHECK(has(run.err(), "coder@node2: node_down: node node2"));
  node2->signal(SIGCONT);
}

CAF_TEST(remote subtasks carry the cost their node priced) {
  auto [node1, port1] = serve("node1");
  auto [node2, port2] = serve("node2");
  auto args = run_args(caller_config(port1, port2));
  args.push_back("--json");
  auto r = et::session::run_process(args);
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->exit_code, 0);
  auto run = boost::json::parse(r->out).as_object();
  double remote_usd = 0;
  int remote = 0;
  for (const auto& item : run.at("subtasks").as_array()) {
    const auto& s = item.as_object();
    auto usd = s.at("usd").to_number<double>();
    if (!s.at("member").as_string().ends_with("@node1")
        && !s.at("member").as_string().ends_with("@node2")) {
      CAF_CHECK_EQUAL(usd, 0.0); // the local mock is free
      continue;
    }
    // The node's alias prices: $3 and $15 per million prompt and completion tokens.
    const auto& tokens = s.at("tokens").as_object();
    auto expected = (tokens.at("prompt_tokens").to_number<double>() * 3
                     + tokens.at("completion_tokens").to_number<double>() * 15)
                    / 1e6;
    CAF_CHECK_GREATER(usd, 0.0);
    CAF_CHECK_LESS(std::abs(usd - expected), 1e-12);
    remote_usd += usd;
    ++remote;
  }
  CAF_CHECK_EQUAL(remote, 2);
  // The run's total, from the ledger, is the same spend.
  CAF_CHECK_LESS(std::abs(run.at("usd").to_number<double>() - remote_usd), 1e-9);
}

CAF_TEST(sigterm lets the request in flight finish before the node exits) {
  auto [node1, port1] = serve("node1", "1s");
  auto [node2, port2] = serve("node2", "1s");
  auto config = caller_config(port1, port2);
  child run{run_args(config), dir / "run.out", dir / "run.err"};
  CAF_REQUIRE(eventually([&] {
    auto nodes = et::session::run_process({et_binary, "nodes", "--json", "--config", config});
    return nodes && has(nodes->out, "\"node\":\"node1\"") && has(nodes->out, "\"in_flight\":1,");
  }));
  auto code = node1->stop(SIGTERM); // returns once the node has exited
  CAF_CHECK_EQUAL(code, 0);
  auto log = node1->err();
  auto answered = log.find("alias=coder mode=stream");
  auto stopped = log.find("et serve: stopped");
  CAF_CHECK(answered != std::string::npos && answered < stopped);
  CAF_CHECK(has(log, "outcome=ok"));
  CAF_CHECK_EQUAL(run.wait(), 0);
  CAF_CHECK(has(run.out(), " by node1\n"));
}

CAF_TEST_FIXTURE_SCOPE_END()
