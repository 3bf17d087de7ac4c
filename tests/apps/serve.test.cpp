#define CAF_SUITE apps.serve
#include "caf/test/unit_test.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <fstream>

#include "app_test.hpp"

// Two `et serve` processes on loopback with mutual TLS (a CA and certificates
// made here with the openssl command line, as the README shows), and `et run`
// with a pool spanning a local member and one alias on each node.

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace et::test;

namespace {

// A child process whose stdout and stderr go to files; killed if still alive.
class child {
public:
  child(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err)
      : out_(out), err_(err) {
    pid_ = ::fork();
    if (pid_ == 0) {
      // A test that dies without unwinding (the watchdog aborts) takes its nodes along.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(o, 1);
      ::dup2(e, 2);
      std::vector<char*> args;
      for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~child() {
    if (pid_ > 0)
      stop(SIGKILL);
  }
  child(const child&) = delete;
  child& operator=(const child&) = delete;

  /// Sends `sig` and waits; the exit code (128 + N when killed by signal N).
  int stop(int sig) {
    ::kill(pid_, sig);
    return wait();
  }
  /// Sends `sig` and returns at once (SIGSTOP freezes the child).
  void signal(int sig) { ::kill(pid_, sig); }
  /// Waits for the exit.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string out() const { return read_file(out_); }
  /// The process id (for /proc).
  pid_t pid() const { return pid_; }
  std::string err() const { return read_file(err_); }

private:
  pid_t pid_ = -1;
  fs::path out_;
  fs::path err_;
};

// Resident memory of process `pid` in KiB (VmRSS), or -1.
long rss_kib(pid_t pid) {
  auto status = read_file("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}

// Connects to 127.0.0.1:port, sends `bytes` and waits (bounded) for the peer
// to close. True when it closed, false when it kept the connection open.
bool send_and_await_close(uint16_t port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return false;
  }
  timeval limit{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  char buf[256];
  ssize_t n = 0;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
  }
  ::close(fd);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

// POSTs `body` to 127.0.0.1:port`path` with Connection: close and returns
// the whole response ("" when the connection failed).
std::string http_post(uint16_t port, const std::string& path, const std::string& body) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  timeval limit{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  auto request = "POST " + path
                 + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: "
                 + std::to_string(body.size()) + "\r\n\r\n" + body;
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

// A BASP client handshake header (CAF 0.17, 32 bytes, network byte order)
// announcing a payload of `size` bytes: CAF reserves the payload before
// reading it, whoever sent the header.
std::string basp_header(uint32_t size) {
  std::string h(32, '\0');
  h[0] = 0x01; // client_handshake
  for (int i = 0; i < 4; ++i)
    h[4 + i] = static_cast<char>((size >> (24 - 8 * i)) & 0xff);
  h[15] = 0x03; // operation_data: BASP version 3
  return h;
}

struct fixture : scratch_dir {
  fixture() : scratch_dir("serve-test") {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "1", "-subj", "/CN=et-test-ca", "-keyout", "ca.key", "-out", "ca.pem"});
    for (auto name : {"node1", "node2", "caller"})
      sign(name, "ca");
    // A certificate from another CA: well formed, but not the fleet's.
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "1", "-subj", "/CN=rogue", "-keyout", "rogue.key", "-out", "rogue.pem"});
  }

  void openssl(std::vector<std::string> args) {
    args.insert(args.begin(), "openssl");
    // openssl writes relative paths: run it in the test directory.
    args.insert(args.begin(), {"/usr/bin/env", "-C", dir.string()});
    auto r = et::session::run_process(args);
    if (!r || r->exit_code != 0)
      CAF_FAIL("openssl failed: " << (r ? r->err : r.error().message));
  }

  void sign(const std::string& name, const std::string& ca) {
    openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
             "/CN=" + name, "-keyout", name + ".key", "-out", name + ".csr"});
    openssl({"x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
             "-CAcreateserial", "-days", "1", "-out", name + ".pem"});
  }

  std::string tls(const std::string& who, const std::string& ca = "ca") {
    return "{certificate: " + who + ".pem, key: " + who + ".key, ca_file: " + ca + ".pem}";
  }

  // A node answering its alias `coder` with the subtask's name and its own.
  fs::path node_config(const std::string& name, const std::string& latency,
                       const std::string& extra_providers = "") {
    auto file = dir / (name + ".yaml");
    std::ofstream{file} << "providers:\n"
                        << extra_providers << "  sim:\n"
                        << "    type: mock\n"
                        << "    mock:\n"
                        << "      mode: script\n"
                        << "      latency: " << latency << "\n"
                        << "      script:\n"
                        << "        - {match: alpha, reply: \"ALPHA by " << name << "\"}\n"
                        << "        - {match: beta, reply: \"BETA by " << name << "\"}\n"
                        << "        - {match: gamma, reply: \"GAMMA by " << name << "\"}\n"
                        << "models:\n"
                        << "  coder: {provider: sim, model: " << name
                        << "-model, price: {input: 3, output: 15}}\n"
                        << "server: {name: " << name
                        << ", listen: \"127.0.0.1:0\", tls: " << tls(name) << "}\n"
                        << "defaults: {state_dir: " << name << "-state}\n";
    return file;
  }

  // The caller: a local worker and coder on both nodes in one pool.
  fs::path caller_config(uint16_t port1, uint16_t port2, const std::string& identity = "caller",
                         const std::string& ca = "ca", const std::string& extra = "") {
    auto file = dir / ("caller-" + identity + ".yaml");
    auto node = [&](uint16_t port) {
      return "{address: \"127.0.0.1:" + std::to_string(port) + "\", tls: " + tls(identity, ca)
             + ", connect_timeout: 5s, request_timeout: 60s}";
    };
    std::ofstream{file}
        << "providers:\n"
        << "  local:\n"
        << "    type: mock\n"
        << "    mock:\n"
        << "      mode: script\n"
        << "      script:\n"
        << "        - {model: planner, match: \"Write a short brief\", reply: \"One brief.\"}\n"
        << "        - model: planner\n"
        << "          reply: \"1. write alpha\\n2. write beta\\n3. write gamma\\n\"\n"
        << "        - {match: alpha, reply: ALPHA by local}\n"
        << "        - {match: beta, reply: BETA by local}\n"
        << "        - {match: gamma, reply: GAMMA by local}\n"
        << "models:\n"
        << "  planner: {provider: local, model: planner}\n"
        << "  worker: {provider: local, model: worker}\n"
        << "nodes:\n"
        << "  node1: " << node(port1) << "\n"
        << "  node2: " << node(port2) << "\n"
        << "roles:\n"
        << "  mayor: {model: planner}\n"
        << "  polecat: {model: worker, pool: [coder@node1, coder@node2, worker]}\n"
        << "retry: {attempts: 1}\n"
        << "defaults: {state_dir: caller-state}\n"
        << extra;
    return file;
  }

  // Starts `et serve` and returns its port once it listens.
  std::pair<std::unique_ptr<child>, uint16_t> serve(const std::string& name,
                                                    const std::string& latency = "0ms",
                                                    const std::string& extra_providers = "") {
    auto proc = std::make_unique<child>(
        std::vector<std::string>{et_binary, "serve", "--config",
                                 node_config(name, latency, extra_providers).string(), "--grace",
                                 "5"},
        dir / (name + ".out"), dir / (name + ".err"));
    uint16_t port = 0;
    eventually([&] {
      auto text = proc->err();
      auto at = text.find("listening on 127.0.0.1:");
      if (at == std::string::npos)
        return false;
      port = static_cast<uint16_t>(std::stoi(text.substr(at + 23)));
      return true;
    });
    if (port == 0)
      CAF_FAIL("et serve " << name << " did not start: " << proc->err());
    return {std::move(proc), port};
  }

  std::vector<std::string> run_args(const fs::path& config) {
    return {et_binary,       "run",         "build three parts", "--config",
            config.string(), "--no-review", "--no-refine",       "--no-synthesize"};
  }
};

} // namespace

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

CAF_TEST(the gateway runs next to the node listener on the same router) {
  child proc{{et_binary, "serve", "--config", node_config("node1", "0ms").string(), "--listen",
              "127.0.0.1:0", "--http", "127.0.0.1:0", "--grace", "5"},
             dir / "both.out",
             dir / "both.err"};
  uint16_t node_port = 0;
  uint16_t http_port = 0;
  eventually([&] {
    auto text = proc.err();
    auto node_at = text.find("listening on 127.0.0.1:");
    auto http_at = text.find("gateway listening on http://127.0.0.1:");
    if (node_at == std::string::npos || http_at == std::string::npos)
      return false;
    node_port = static_cast<uint16_t>(std::stoi(text.substr(node_at + 23)));
    http_port = static_cast<uint16_t>(std::stoi(text.substr(http_at + 38)));
    return true;
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
    auto text = node.err();
    auto at = text.find("listening on 127.0.0.1:");
    if (at != std::string::npos)
      port = static_cast<uint16_t>(std::stoi(text.substr(at + 23)));
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

CAF_TEST_FIXTURE_SCOPE_END()
