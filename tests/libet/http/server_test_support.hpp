#pragma once
/// What the suites of et's HTTP server share: a raw loopback socket for what a
/// well-behaved client never does, and a fixture that starts a server with a
/// renderer whose error bodies name the target, status and message.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "caf/test/unit_test.hpp"
#include "et/http/server.hpp"
#include "http_test_support.hpp"

namespace et::test {

// A raw loopback connection for what a well-behaved client never does.
struct raw {
  int fd = -1;
  explicit raw(uint16_t port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ~raw() {
    if (fd >= 0)
      ::close(fd);
  }
  void send(const std::string& bytes) const {
    CAF_CHECK_EQUAL(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                    static_cast<ssize_t>(bytes.size()));
  }
  // What arrives until `done(out)`, the peer closes (`closed` set) or `limit` passes.
  template <class Done>
  std::string read(Done done, std::chrono::milliseconds limit, bool* closed = nullptr) const {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done(out)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        break;
      char buf[4096];
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed)
          *closed = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // What arrives until it ends with `tail`, the peer closes or `limit` passes.
  std::string read_until(std::string_view tail, std::chrono::milliseconds limit) const {
    return read([tail](const std::string& out) { return out.ends_with(tail); }, limit);
  }
  // Everything until the peer closes or `limit` passes; `closed` says which.
  std::string read_all(std::chrono::milliseconds limit, bool* closed = nullptr) const {
    return read([](const std::string&) { return false; }, limit, closed);
  }
};

struct fixture {
  http::server_options opts;
  std::unique_ptr<http::server> srv;
  uint16_t port = 0;
  http::runtime rt{1};
  http::client client{rt, http::client_options{}};
  std::mutex mutex;
  std::vector<std::shared_ptr<http::reply>> held; // replies the test answers later
  std::promise<void> gone;                        // set by on_close

  void start(http::request_handler h, http::head_check admit = {}) {
    srv = std::make_unique<http::server>(
        opts, std::move(h),
        [](const std::string& target, int status, const std::string& msg) {
          return std::pair<std::string, std::string>{
              "application/json", "{\"target\":\"" + target + "\",\"status\":"
                                      + std::to_string(status) + ",\"message\":\"" + msg + "\"}"};
        },
        std::move(admit));
    auto p = srv->start();
    CAF_REQUIRE(p);
    port = *p;
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port); }
  ~fixture() {
    if (srv)
      srv->stop();
  }
};

} // namespace et::test
