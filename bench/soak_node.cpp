#include "soak_node.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "et/config/settings.hpp"
#include "support.hpp"

extern char** environ;

namespace et::bench::soak {

namespace {

using namespace std::chrono_literals;

// A port on 127.0.0.1 that was free a moment ago (the node binds it with SO_REUSEADDR).
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0
      && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

std::string read_from(const std::string& path, std::streamoff offset) {
  std::ifstream in{path, std::ios::binary};
  in.seekg(offset);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::streamoff size_of(const std::string& path) {
  std::ifstream in{path, std::ios::binary | std::ios::ate};
  return in ? static_cast<std::streamoff>(in.tellg()) : 0;
}

// Starts `argv` with stdout and stderr appended to `log`; -1 on failure.
pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ) != 0)
    pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Waits up to `bound` for `pid` to end; true when it did (and was reaped).
bool reap_within(pid_t pid, std::chrono::milliseconds bound) {
  auto until = std::chrono::steady_clock::now() + bound;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= until)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

} // namespace

std::string node_yaml(const node_plan& p, uint16_t port) {
  return "providers:\n  up: {type: openai, base_url: \"http://127.0.0.1:"
         + std::to_string(p.upstream_port) + "/v1\", headers: {x-fake-hold: \""
         + std::to_string(p.hold_every)
         + "\"}}\n"
           "models:\n"
           "  a-node: {provider: up, model: soak-node, price: {input: 1.5, output: 6}}\n"
           "server: {name: node1, listen: \"127.0.0.1:"
         + std::to_string(port)
         + "\", insecure_plaintext: true}\n"
           "timeouts: {connect: 2s, first_byte: 1s, idle: 1s, total: 20s}\n"
           "retry: {attempts: 1}\n"
           "defaults: {state_dir: \""
         + p.dir + "/state\"}\n";
}

node_killer::node_killer(node_plan p) : plan_(std::move(p)) {
  port_ = free_port();
  std::ofstream{plan_.dir + "/node.yaml"} << node_yaml(plan_, port_);
  if (port_ == 0 || !start()) {
    if (error_.empty())
      error_ = "no free loopback port for the node";
    return;
  }
  thread_ = std::thread{[this] { loop(); }};
}

node_killer::~node_killer() {
  stop_ = true;
  if (thread_.joinable())
    thread_.join();
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (!reap_within(pid_, 10s)) {
      ::kill(pid_, SIGKILL);
      reap_within(pid_, 10s);
    }
  }
}

bool node_killer::start() {
  auto log = plan_.dir + "/node.log";
  auto from = size_of(log);
  pid_ = spawn_logged({plan_.et_path, "serve", "--config", plan_.dir + "/node.yaml", "--grace", "1"},
                      log);
  if (pid_ < 0) {
    error_ = "cannot start " + plan_.et_path;
    return false;
  }
  auto until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < until) {
    if (read_from(log, from).find("listening on 127.0.0.1:") != std::string::npos)
      return true;
    if (reap_within(pid_, 0ms)) {
      pid_ = -1;
      error_ = "et serve exited at start; see " + log;
      return false;
    }
    std::this_thread::sleep_for(10ms);
  }
  ::kill(pid_, SIGKILL);
  reap_within(pid_, 10s);
  pid_ = -1;
  error_ = "et serve did not listen within 20 s; see " + log;
  return false;
}

void node_killer::loop() {
  int64_t seen = 0;
  while (!stop_) {
    std::this_thread::sleep_for(10ms);
    if (pid_ < 0) { // a start failed: try again
      if (!start())
        ++failed_restarts_;
      continue;
    }
    auto r = read_report(plan_.upstream_port, false);
    if (!r.ok || r.held <= seen)
      continue;
    // Held streams are never released: each is a call of the node that
    // stopped after its first content event. Kill the node there.
    seen = r.held;
    ::kill(pid_, SIGKILL);
    reap_within(pid_, 10s);
    pid_ = -1;
    ++kills_;
    if (!start())
      ++failed_restarts_;
  }
}

node_side::node_side(const std::string& fake_upstream, const std::string& et_path,
                     int hold_every) {
  char scratch[] = "/tmp/et-soak-node-XXXXXX";
  if (!::mkdtemp(scratch)) {
    error_ = "cannot make a scratch directory in /tmp";
    return;
  }
  dir_ = scratch;
  up_ = scale::start_upstream(fake_upstream, {"--mode", "echo"});
  if (up_.pid < 0 || up_.port == 0) {
    error_ = "the node's upstream: " + up_.error;
    return;
  }
  node_plan plan{et_path, dir_, up_.port, hold_every};
  killer_ = std::make_unique<node_killer>(plan);
  if (!killer_->ok()) {
    error_ = killer_->error();
    return;
  }
  settings_ = load_settings(node_yaml(plan, killer_->port()), dir_ + "/node.yaml", error_);
}

node_side::~node_side() {
  killer_.reset();
  scale::stop_upstream(up_);
  if (!dir_.empty() && error_.empty()) { // kept for its node.log when something failed
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

} // namespace et::bench::soak
