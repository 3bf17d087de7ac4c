#define CAF_SUITE apps.serve_access
#include "serve_test.hpp"

// `et serve` nodes and who reaches them: clients coming and going, et nodes,
// certificates of the fleet, TLS by default, hostile BASP headers.

using namespace serve_test;

CAF_TEST_FIXTURE_SCOPE(serve_access_tests, fixture)

CAF_TEST(clients coming and going or refused leave other connections alone) {
  auto [node1, port1] = serve("node1", "1500ms");
  auto [node2, port2] = serve("node2", "1500ms");
  auto config = caller_config(port1, port2);
  child run{run_args(config), dir / "run.out", dir / "run.err"};
  CAF_REQUIRE(eventually([&] {
    auto nodes = et::session::run_process({et_binary, "nodes", "--json", "--config", config});
    return nodes && has(nodes->out, "\"in_flight\":1,");
  }));
  // A client that ends without a TLS goodbye, and one whose handshake fails:
  // each leaves an OpenSSL error behind on the node's I/O thread.
  auto rogue = caller_config(port1, port2, "rogue", "rogue");
  for (const auto& cfg : {config, rogue, config})
    et::session::run_process({et_binary, "nodes", "--config", cfg.string()});
  CAF_CHECK_EQUAL(run.wait(), 0);
  CAF_CHECK(has(run.out(), " by node1\n"));
  CAF_CHECK(has(run.out(), " by node2\n"));
  CAF_CHECK(!has(run.err(), "attempt on")); // no attempt failed
}

CAF_TEST(et nodes shows the health of the ollama providers of each node) {
  auto [node1, port1] = serve("node1");
  // node2's Ollama is down (nothing listens on port 1).
  auto [node2, port2] =
      serve("node2", "0ms", "  gpu: {type: ollama, base_url: \"http://127.0.0.1:1\"}\n");
  auto config = caller_config(port1, port2);
  auto nodes = et::session::run_process({et_binary, "nodes", "--config", config.string()});
  CAF_REQUIRE(nodes);
  CAF_CHECK_EQUAL(nodes->exit_code, 1);
  CAF_CHECK(has(nodes->out, "    coder@node2  sim/node2-model\n"
                            "    ollama gpu (http://127.0.0.1:1)  FAILED  network: "));
  CAF_CHECK(!has(nodes->out, "this host")); // the caller has no Ollama provider
  auto json = et::session::run_process({et_binary, "nodes", "--json", "--config", config.string()});
  CAF_REQUIRE(json);
  CAF_CHECK(has(json->out, "\"ollama\":[{\"provider\":\"gpu\",\"base_url\":\"http://127.0.0.1:1\","
                           "\"ok\":false,"));
}

CAF_TEST(a client without a certificate of the fleet is refused) {
  auto [node1, port1] = serve("node1");
  for (auto [identity, ca] : {std::pair{"rogue", "rogue"}, std::pair{"rogue", "ca"}}) {
    auto config = caller_config(port1, port1, identity, ca);
    auto nodes = et::session::run_process({et_binary, "nodes", "--config", config.string()});
    CAF_REQUIRE(nodes);
    CAF_CHECK_EQUAL(nodes->exit_code, 1);
    CAF_CHECK(has(nodes->out, "UNREACHABLE"));
  }
  // No TLS at all: the handshake fails as well.
  auto plain = dir / "plain.yaml";
  std::ofstream{plain} << "providers: {p: {type: mock}}\nmodels: {m: {provider: p, model: m}}\n"
                       << "nodes: {node1: {address: \"127.0.0.1:" << port1
                       << "\", connect_timeout: 5s}}\n";
  auto nodes = et::session::run_process({et_binary, "nodes", "--config", plain.string()});
  CAF_REQUIRE(nodes);
  CAF_CHECK_EQUAL(nodes->exit_code, 1);
  CAF_CHECK(has(nodes->out, "UNREACHABLE"));
  // The node itself is fine and still serves its own fleet.
  auto good = et::session::run_process(
      {et_binary, "nodes", "--config", caller_config(port1, port1).string()});
  CAF_REQUIRE(good);
  CAF_CHECK_EQUAL(good->exit_code, 0);
}

CAF_TEST(a node needs tls by default and init tls makes it in one step) {
  // Without TLS material et serve refuses to start, even on loopback.
  auto bare = dir / "bare.yaml";
  std::ofstream{bare} << "providers: {p: {type: mock}}\nmodels: {m: {provider: p, model: m}}\n"
                      << "server: {listen: \"127.0.0.1:0\"}\n";
  auto refused = et::session::run_process({et_binary, "serve", "--config", bare.string()});
  CAF_REQUIRE(refused);
  CAF_CHECK_EQUAL(refused->exit_code, 2);
  CAF_CHECK(has(refused->err, "server.tls (certificate, key, ca_file) is required on every "
                              "address, loopback included: `et serve --init-tls DIR` makes them"));
  // --init-tls writes a CA, the node's and a client's material and prints the lines.
  auto init = et::session::run_process({et_binary, "serve", "--init-tls", (dir / "pki").string()});
  CAF_REQUIRE(init);
  CAF_CHECK_EQUAL(init->exit_code, 0);
  auto pki = fs::absolute(dir / "pki").string();
  CAF_CHECK(has(init->out, "server:\n  tls: {certificate: \"" + pki + "/node.pem\", key: \"" + pki
                               + "/node.key\", ca_file: \"" + pki + "/ca.pem\"}\n"));
  CAF_CHECK(has(init->out, "tls: {certificate: \"" + pki + "/client.pem\""));
  // Run twice, it overwrites nothing.
  auto again = et::session::run_process({et_binary, "serve", "--init-tls", (dir / "pki").string()});
  CAF_REQUIRE(again);
  CAF_CHECK_EQUAL(again->exit_code, 1);
  CAF_CHECK(has(again->err, "exists already"));
}

CAF_TEST(an unauthenticated peer cannot make a node allocate what a basp header claims) {
  auto init = et::session::run_process({et_binary, "serve", "--init-tls", (dir / "pki").string()});
  CAF_REQUIRE(init && init->exit_code == 0);
  auto pki = fs::absolute(dir / "pki");
  auto tls = [&](const std::string& who) {
    return "{certificate: " + (pki / (who + ".pem")).string() + ", key: "
           + (pki / (who + ".key")).string() + ", ca_file: " + (pki / "ca.pem").string() + "}";
  };
  auto node_cfg = dir / "node.yaml";
  std::ofstream{node_cfg} << "providers: {sim: {type: mock, mock: {mode: echo}}}\n"
                          << "models: {coder: {provider: sim, model: m}}\n"
                          << "server: {name: n, listen: \"127.0.0.1:0\", tls: " << tls("node")
                          << "}\ndefaults: {state_dir: n-state}\n";
  child node{{et_binary, "serve", "--config", node_cfg.string()}, dir / "n.out", dir / "n.err"};
  uint16_t port = 0;
  CAF_REQUIRE(eventually([&] {
    port = port_after(node.err(), "listening on 127.0.0.1:");
    return port != 0;
  }));
  CAF_CHECK(has(node.err(), "(mutual TLS)"));
  auto before = rss_kib(node.pid());
  CAF_REQUIRE(before > 0);
  // A 1 GiB payload announced in the first 32 bytes: TLS takes them for a
  // broken ClientHello and closes; BASP never reads them.
  for (int i = 0; i < 4; ++i)
    CAF_CHECK(send_and_await_close(port, basp_header(1u << 30)));
  auto after = rss_kib(node.pid());
  CAF_MESSAGE("node RSS " << before << " KiB before, " << after << " KiB after");
  CAF_CHECK_LESS(after - before, 8 * 1024);
  // And the node still serves its fleet.
  auto caller_cfg = dir / "caller.yaml";
  std::ofstream{caller_cfg}
      << "providers: {p: {type: mock}}\nmodels: {m: {provider: p, model: m}}\n"
      << "nodes: {n: {address: \"127.0.0.1:" << port
      << "\", connect_timeout: 5s, tls: " << tls("client") << "}}\n";
  auto nodes = et::session::run_process({et_binary, "nodes", "--config", caller_cfg.string()});
  CAF_REQUIRE(nodes);
  CAF_CHECK_EQUAL(nodes->exit_code, 0);
  CAF_CHECK(has(nodes->out, "reachable"));
  CAF_CHECK(has(nodes->out, "coder@n"));
}

CAF_TEST(the gateway runs next to the node listener on the same router) {
  child proc{{et_binary, "serve", "--config", node_config("node1", "0ms").string(), "--listen",
              "127.0.0.1:0", "--http", "127.0.0.1:0", "--grace", "5"},
             dir / "both.out",
             dir / "both.err"};
  uint16_t node_port = 0;
  uint16_t http_port = 0;
  eventually([&] {
    auto text = proc.err();
    node_port = port_after(text, "listening on 127.0.0.1:");
    http_port = port_after(text, "gateway listening on http://127.0.0.1:");
    return node_port != 0 && http_port != 0;
  });
  CAF_REQUIRE(node_port != 0 && http_port != 0);
  auto answer = http_post(http_port, "/v1/chat/completions",
                          R"({"model":"coder","messages":[{"role":"user","content":"alpha"}]})");
  CAF_CHECK(has(answer, "HTTP/1.1 200 OK"));
  CAF_CHECK(has(answer, "ALPHA by node1"));
  auto nodes = et::session::run_process(
      {et_binary, "nodes", "--config", caller_config(node_port, node_port).string()});
  CAF_REQUIRE(nodes);
  CAF_CHECK(
      has(nodes->out, "node1  127.0.0.1:" + std::to_string(node_port) + "  tls on  reachable"));
  CAF_CHECK_EQUAL(proc.stop(SIGTERM), 0);
  CAF_CHECK(has(proc.err(), "et serve: stopped"));
}

CAF_TEST_FIXTURE_SCOPE_END()
