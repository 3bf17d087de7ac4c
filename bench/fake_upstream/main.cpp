// et-fake-upstream: runs the fake upstream until SIGINT or SIGTERM, so et can
// be dry-run against it. Prints "listening on HOST:PORT" once ready.
// Exit codes: 0 after a signal, 1 on a startup failure, 2 on a usage error.

// GCC 12 reports -Wnull-dereference false positives inside Asio's strand and
// scheduler code once it is inlined into this file; elsewhere the warning stays on.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server.hpp"

namespace {

constexpr std::string_view usage = R"(usage: et-fake-upstream [flags]
  --host ADDR              address to bind (127.0.0.1)
  --port N                 port, 0 = any free one (8080)
  --threads N              io threads (2)
  --mode echo|fixed|tokens reply text source (echo)
  --text TEXT              reply of mode fixed
  --tokens N               reply length of mode tokens (16)
  --latency-ms N           delay to the first token (0)
  --tps N                  streamed tokens per second, 0 = unpaced (0)
  --chunk-tokens N         tokens per stream event (1)
  --fault NAME             fault to inject: rate_limit server_error unavailable
                           overloaded context_overflow unauthorized refuse reset
                           hang cut malformed stream_error (none)
  --fault-probability P    chance per request of --fault (1)
  --fault-mix A,B,...      instead of --fault: with --fault-probability per
                           request, one of these faults drawn uniformly
  --fail-first N           the first N requests per model fail (0)
  --seed N                 seed of the fault draw (1)
  --help                   this text
Per request: x-fake-fault, x-fake-mode, x-fake-text, x-fake-tokens,
x-fake-latency-ms, x-fake-tps, x-fake-chunk-tokens, x-fake-cut-after,
x-fake-retry-after, x-fake-fail-first, x-fake-key, x-fake-hold, x-fake-dim,
x-fake-tool, x-fake-thinking (thought before the answer, one event).
Embeddings (POST /v1/embeddings, /api/embed, :batchEmbedContents): a hashed
bag of words per input, unit length, dimension x-fake-dim (64), with usage;
status faults, cut and malformed apply to them too.
x-fake-hold: N stops every Nth stream (1: each; faulty ones are not
counted) after its first content event until a
POST /fake/release, which lets every held stream go on and answers
{"released": N}. GET /fake/report answers the counters and the usage of
every answer sent in full (what a provider bills) as JSON, with the answer
texts unless ?texts=0.
)";

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

template <class T>
bool set_from(std::optional<T> parsed, T& out) {
  if (parsed)
    out = *parsed;
  return parsed.has_value();
}

// "a,b,c": fault names, none of them "none".
bool parse_mix(std::string_view list, std::vector<et::fake::fault>& out) {
  out.clear();
  while (!list.empty()) {
    auto comma = list.find(',');
    auto f = et::fake::fault_from_string(list.substr(0, comma));
    if (!f || *f == et::fake::fault::none)
      return false;
    out.push_back(*f);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return !out.empty();
}

// One flag and its value; false with a message on a bad flag or value.
bool apply_flag(std::string_view flag, std::string_view value, et::fake::options& o,
                std::string& error) {
  int64_t n = 0;
  bool ok = true;
  if (flag == "--host")
    o.host = std::string{value};
  else if (flag == "--port")
    ok = parse_number(value, o.port);
  else if (flag == "--threads")
    ok = parse_number(value, o.threads) && o.threads > 0;
  else if (flag == "--mode")
    ok = set_from(et::fake::reply_mode_from_string(value), o.reply.mode);
  else if (flag == "--text")
    o.reply.text = std::string{value};
  else if (flag == "--tokens")
    ok = parse_number(value, o.reply.tokens) && o.reply.tokens >= 0;
  else if (flag == "--latency-ms") {
    ok = parse_number(value, n) && n >= 0;
    o.reply.latency = std::chrono::milliseconds{n};
  } else if (flag == "--tps")
    ok = parse_number(value, o.reply.tokens_per_second) && o.reply.tokens_per_second >= 0;
  else if (flag == "--chunk-tokens")
    ok = parse_number(value, o.reply.chunk_tokens) && o.reply.chunk_tokens > 0;
  else if (flag == "--fault")
    ok = set_from(et::fake::fault_from_string(value), o.default_fault);
  else if (flag == "--fault-probability")
    ok = parse_number(value, o.fault_probability) && o.fault_probability >= 0
         && o.fault_probability <= 1;
  else if (flag == "--fault-mix")
    ok = parse_mix(value, o.fault_mix);
  else if (flag == "--fail-first")
    ok = parse_number(value, o.fail_first) && o.fail_first >= 0;
  else if (flag == "--seed")
    ok = parse_number(value, o.seed);
  else {
    error = "unknown flag " + std::string{flag};
    return false;
  }
  if (!ok)
    error = "bad value for " + std::string{flag} + ": " + std::string{value};
  return ok;
}

// Parses argv into options; nullopt after printing help or an error.
std::optional<et::fake::options> parse_args(int argc, char** argv, int& exit_code) {
  et::fake::options o;
  o.port = 8080;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << usage;
      exit_code = 0;
      return std::nullopt;
    }
    std::string error;
    std::string_view value;
    if (auto eq = flag.find('='); eq != std::string_view::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      error = "missing value for " + std::string{flag};
    }
    if (error.empty() && apply_flag(flag, value, o, error))
      continue;
    std::cerr << "et-fake-upstream: " << error << "\n" << usage;
    exit_code = 2;
    return std::nullopt;
  }
  return o;
}

} // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  auto opts = parse_args(argc, argv, exit_code);
  if (!opts)
    return exit_code;
  // Registered before the server starts so an early Ctrl-C is not lost; Asio
  // forwards a signal whichever thread receives it.
  boost::asio::io_context signals_ctx;
  boost::asio::signal_set signals{signals_ctx, SIGINT, SIGTERM};
  et::fake::server srv{*opts};
  if (auto ok = srv.start(); !ok) {
    std::cerr << "et-fake-upstream: " << et::to_string(ok.error()) << "\n";
    return 1;
  }
  std::cout << "listening on " << opts->host << ":" << srv.port() << std::endl;
  signals.async_wait([](const boost::system::error_code&, int) {});
  signals_ctx.run();
  srv.stop();
  auto s = srv.snapshot();
  std::cerr << "et-fake-upstream: " << s.requests << " requests on " << s.connections_accepted
            << " connections, " << s.faults_injected << " faults; billed "
            << srv.served().total.answers << " answers\n";
  return 0;
}
