#pragma once
// The serve suites' fixture (serve.test.cpp, serve_access.test.cpp): two `et
// serve` processes on loopback with mutual TLS (a CA and certificates made here
// with the openssl command line, as the README shows), and `et run` with a pool
// spanning a local member and one alias on each node.

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
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>

#include "app_test.hpp"
#include "loopback_socket.hpp"

namespace fs = std::filesystem;

namespace serve_test {

using namespace std::chrono_literals;
using namespace et::test;

// The port written after `mark` in `text`, once its digits are followed by something: a
// child's stderr is read while the child writes it, so the number may still be coming (0 then).
inline uint16_t port_after(const std::string& text, std::string_view mark) {
  auto at = text.find(mark);
  if (at == std::string::npos)
    return 0;
  auto from = at + mark.size();
  auto end = text.find_first_not_of("0123456789", from);
  if (end == std::string::npos || end == from)
    return 0;
  unsigned port = 0;
  std::from_chars(text.data() + from, text.data() + end, port);
  return port <= 65535 ? static_cast<uint16_t>(port) : 0;
}

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
inline long rss_kib(pid_t pid) {
  auto status = read_file("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}

// Connects to 127.0.0.1:port, sends `bytes` and waits (bounded) for the peer
// to close. True when it closed, false when it kept the connection open.
inline bool send_and_await_close(uint16_t port, const std::string& bytes) {
  int fd = connect_loopback(port, 5);
  if (fd < 0)
    return false;
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
inline std::string http_post(uint16_t port, const std::string& path, const std::string& body) {
  int fd = connect_loopback(port, 20);
  if (fd < 0)
    return {};
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
inline std::string basp_header(uint32_t size) {
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
      port = port_after(proc->err(), "listening on 127.0.0.1:");
      return port != 0;
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

} // namespace serve_test
