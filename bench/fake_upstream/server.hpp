#pragma once
/// The fake upstream server: one loopback HTTP/1.1 listener that speaks the
/// OpenAI, Anthropic, Ollama and Gemini chat protocols, with scripted replies
/// and injected faults, for tests, benchmarks and dry runs of et.
///
///   et::fake::server srv{opts};
///   if (auto ok = srv.start(); !ok) ...;
///   auto port = srv.port();   // talk to http://127.0.0.1:port
///   srv.stop();

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "et/util/result.hpp"
#include "options.hpp"
#include "request.hpp"
#include "served.hpp"

namespace et::fake {

/// A snapshot of the server's counters.
struct stats {
  uint64_t connections_accepted = 0;                ///< TCP connections accepted
  uint64_t connections_refused = 0;                 ///< closed at once by fault refuse
  uint64_t requests = 0;                            ///< requests read, all endpoints
  std::map<std::string, uint64_t> requests_by_path; ///< by endpoint name ("openai.chat", ...)
  uint64_t faults_injected = 0;                     ///< requests that got a fault
  std::map<std::string, uint64_t> faults_by_name;   ///< by fault name ("rate_limit", ...)
  uint64_t held = 0;                                ///< streams x-fake-hold stops right now
};

/// The server; owns its io threads. Not copyable; stop() is idempotent.
class server {
public:
  /// A server that will use `opts` once started.
  explicit server(options opts = {});
  /// Stops the server.
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds host:port, starts listening and starts the io threads.
  result<void> start();
  /// Closes the listener and every connection, and joins the io threads.
  void stop();
  /// The bound port (the OS's choice when options::port was 0); 0 before start().
  uint16_t port() const;
  /// The options in force.
  const options& settings() const;
  /// The counters so far.
  stats snapshot() const;
  /// The answers sent in full so far and the usage they reported (what a provider bills).
  served_report served() const;
  /// Requests so far to one endpoint.
  uint64_t requests(endpoint e) const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace et::fake
