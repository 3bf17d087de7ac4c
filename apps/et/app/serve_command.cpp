#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <csignal>
#include <mutex>
#include <ostream>
#include <thread>

#include "caf/all.hpp"
#include "caf/io/all.hpp"
#include "caf/openssl/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/node.hpp"
#include "et/app/commands.hpp"
#include "et/app/flag_checks.hpp"
#include "et/app/gateway.hpp"
#include "et/app/runtime.hpp"
#include "et/app/serve_gateway.hpp"
#include "et/config/paths.hpp"
#include "et/http/server_tls.hpp"
#include "et/routing/node_tls.hpp"
#include "et/util/text.hpp"
#include "et/util/url.hpp"

namespace et::app {

namespace {

using namespace std::chrono_literals;

std::atomic<int> stop_signals{0};

extern "C" void et_serve_stop(int) {
  ++stop_signals;
}

// SIGTERM and Ctrl-C only count: the main thread polls and shuts down in order.
struct stop_guard {
  struct sigaction old_term {};
  struct sigaction old_int {};
  stop_guard() {
    stop_signals = 0;
    struct sigaction sa {};
    sa.sa_handler = et_serve_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGINT, &sa, &old_int);
  }
  ~stop_guard() {
    sigaction(SIGTERM, &old_term, nullptr);
    sigaction(SIGINT, &old_int, nullptr);
  }
};

struct serve_options {
  std::string listen;         // HOST:PORT overriding server.listen
  std::string http;           // HOST:PORT of the gateway ("" = no gateway)
  std::string tls_cert;       // the gateway's certificate chain (PEM): HTTPS
  std::string tls_key;        // its key
  int grace = 30;             // seconds to let requests in flight finish
  int max_connections = 512;  // the gateway's open connections (more get 503)
  int max_bodies_mib = 256;   // the request bodies it holds at once (more get 503)
  unsigned cpus = 0;          // the cores to size the threads for; 0: those this process may use
  std::string io = "workers"; // who runs the HTTP I/O: "workers" (the actor workers) or "threads"
  std::string init_tls;       // make TLS material in this directory and exit
};

// Applies --listen and checks what the loader cannot: mutual TLS on every
// address (without it any peer that reaches the port talks to CAF's BASP
// parser unauthenticated, and that parser allocates whatever payload size a
// header claims), plain TCP only on loopback and only when asked for by
// name, and one TLS identity for the whole process.
bool prepare(context& ctx, config::settings& s, const serve_options& o) {
  if (!o.listen.empty()) {
    auto addr = parse_host_port(o.listen);
    if (!addr || addr->host.empty()) {
      ctx.err << "et serve: --listen: expected HOST:PORT, got \"" << o.listen << "\"\n";
      return false;
    }
    s.server.host = addr->host;
    s.server.port = addr->port;
  }
  if (!s.server.tls.enabled() && !s.server.insecure_plaintext) {
    ctx.err << "et serve: server.tls (certificate, key, ca_file) is required on every address, "
               "loopback included: `et serve --init-tls DIR` makes them (or, on loopback only, "
               "server.insecure_plaintext: true)\n";
    return false;
  }
  if (!s.server.tls.enabled() && !is_loopback(s.server.host)) {
    ctx.err << "et serve: server.insecure_plaintext allows only a loopback address (127.0.0.0/8 "
               "or ::1), not "
            << s.server.host << "\n";
    return false;
  }
  if (auto conflict = identity_conflict(s); !conflict.empty()) {
    ctx.err << "et serve: " << conflict << "\n";
    return false;
  }
  if (s.models.empty()) {
    ctx.err << "et serve: the configuration has no models: a node offers its aliases\n";
    return false;
  }
  return true;
}

// Publishes the node's door: a remote peer reaches node_actor's messages
// only, never the node's drain, inflight or cancel-everything.
caf::expected<uint16_t> publish(const actors::node_door_actor& door, const config::server& server) {
  auto hdl = caf::actor_cast<actors::node_actor>(door);
  if (server.tls.enabled())
    return caf::openssl::publish(hdl, server.port, server.host.c_str(), true);
  return door.home_system().middleman().publish(hdl, server.port, server.host.c_str(), true);
}

// `et serve --init-tls DIR`: the fleet's TLS material and the lines that use it.
int run_init_tls(context& ctx, const serve_options& o) {
  auto name = routing::node_name(config::server{});
  auto files = routing::init_node_tls(o.init_tls, name);
  if (!files) {
    ctx.err << files.error().message << "\n";
    return exit_failed;
  }
  ctx.out << routing::node_tls_config(*files, name, name + ":7700");
  ctx.err << "et serve: wrote a CA, a node and a client certificate to " << o.init_tls
          << " (keys mode 0600; keep ca.key offline: it signs more certificates)\n";
  return exit_ok;
}

// Waits until nothing is in flight: `grace` seconds, or until a second
// signal, then cancels what is left and waits a little more for the cancels.
void drain(caf::actor_system& sys, const actors::node_impl& node, std::chrono::seconds grace,
           int signals_before) {
  caf::scoped_actor self{sys};
  self->send(node, actors::drain_atom::value); // refuses new requests from now on
  auto deadline = std::chrono::steady_clock::now() + grace;
  bool cancelled = false;
  for (;;) {
    // No answer means "unknown": keep waiting, within the deadline.
    int64_t in_flight = -1;
    self->request(node, 5s, actors::inflight_atom::value)
        .receive([&](int64_t n) { in_flight = n; }, [&](caf::error&) {});
    if (in_flight == 0)
      return;
    auto now = std::chrono::steady_clock::now();
    if (!cancelled && (now >= deadline || stop_signals > signals_before)) {
      caf::anon_send(node, actors::cancel_atom::value);
      cancelled = true;
      deadline = now + 5s;
    } else if (cancelled && now >= deadline) {
      return;
    }
    std::this_thread::sleep_for(100ms);
  }
}

// The gateway's address and TLS material. Beyond loopback it needs TLS (the
// keys and prompts would cross the network in clear) and a key (checked when it
// starts: without one anyone who reaches the port would spend the providers' money).
std::optional<host_port> gateway_address(context& ctx, const serve_options& o,
                                         std::optional<http::server_tls_files>& tls) {
  auto addr = parse_host_port(o.http);
  if (!addr || addr->host.empty()) {
    ctx.err << "et serve: --http: expected HOST:PORT, got \"" << o.http << "\"\n";
    return std::nullopt;
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    ctx.err << "et serve: " << (o.tls_cert.empty() ? "--tls-key" : "--tls-cert") << " needs "
            << (o.tls_cert.empty() ? "--tls-cert" : "--tls-key")
            << " too (the certificate and its key)\n";
    return std::nullopt;
  }
  if (o.tls_cert.empty() && !is_loopback(addr->host)) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(addr->host, ec);
    bool literal = !ec;
    // A name (even "localhost") may resolve to any interface: only an address literal is
    // known to be loopback.
    ctx.err << "et serve: --http " << o.http << ": "
            << (literal ? "a non-loopback address"
                        : "\"" + addr->host
                              + "\" is a name, not a loopback address (127.0.0.1 "
                                "or ::1), and")
            << " needs --tls-cert and --tls-key (HTTPS), the same rule as nodes\n";
    return std::nullopt;
  }
  if (o.tls_cert.empty())
    return *addr;
  http::server_tls_files files{o.tls_cert, o.tls_key};
  auto checked = http::check_server_tls(files, {"--tls-cert", "--tls-key"});
  if (!checked) {
    ctx.err << "et serve: " << checked.error().message << "\n";
    return std::nullopt;
  }
  for (const auto& w : *checked)
    ctx.err << "et serve: WARNING: " << w << "\n";
  tls = std::move(files);
  return *addr;
}

// Waits until the gateway has nothing in flight: `grace`, or until a second signal; then
// closes it, which cancels what is left.
void drain_gateway(app::http_gateway& g, std::chrono::seconds grace, int signals_before) {
  g.drain(); // new requests get 503 from now on
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (g.in_flight() > 0 && std::chrono::steady_clock::now() < deadline
         && stop_signals <= signals_before)
    std::this_thread::sleep_for(50ms);
  g.stop(5s); // answers already made still reach their clients
}

int run_serve(context& ctx, const serve_options& o) {
  if (!o.init_tls.empty())
    return run_init_tls(ctx, o);
  std::optional<host_port> http_at;
  std::optional<http::server_tls_files> http_tls;
  if (!o.http.empty() && !(http_at = gateway_address(ctx, o, http_tls)))
    return exit_usage;
  // With --http the node listener runs only when --listen asks for it too.
  bool node_wanted = o.http.empty() || !o.listen.empty();
  auto loaded = load_settings(ctx);
  if (!loaded)
    return exit_usage;
  if (node_wanted && !prepare(ctx, *loaded, o))
    return exit_usage;
  if (!node_wanted && loaded->models.empty() && loaded->roles.empty()) {
    ctx.err << "et serve: the configuration has no models or roles for the gateway to offer\n";
    return exit_usage;
  }
  auto s = std::make_shared<const config::settings>(std::move(*loaded));
  stop_guard guard; // before anything starts, so an early SIGTERM is not lost
  auto cores = o.cpus > 0 ? o.cpus : util::usable_cores();
  auto threads = o.io == "workers" ? util::workers_plan(cores) : util::plan_threads(cores);
  auto rt = role_runtime::start(ctx, "et serve", s, {},
                                node_wanted ? server_network(s->server, s->network)
                                            : client_network(s->nodes, s->network),
                                threads);
  if (!rt)
    return exit_usage;
  ctx.err << "et serve: threads for " << threads.cores
          << (threads.cores == 1 ? " core: " : " cores: ") << threads.workers
          << (threads.workers == 1 ? " actor worker" : " actor workers");
  if (threads.io_on_workers)
    ctx.err << (threads.workers == 1 ? " running" : " sharing") << " all HTTP I/O\n";
  else
    ctx.err << ", " << threads.client_io << " provider I/O"
            << (http_at ? ", " + std::to_string(threads.server_io) + " gateway server I/O" : "")
            << "\n";
  ctx.err << std::flush;
  auto log_mutex = std::make_shared<std::mutex>();
  auto& err = ctx.err;
  std::unique_ptr<http_gateway> gw;
  if (http_at) {
    gw = start_serve_gateway(ctx,
                             {s, &*rt, *http_at, http_tls, o.http, o.max_connections,
                              o.max_bodies_mib, static_cast<int>(threads.server_io), log_mutex});
    if (!gw)
      return exit_failed;
  }
  if (!node_wanted) {
    while (stop_signals == 0)
      std::this_thread::sleep_for(100ms);
    {
      std::lock_guard<std::mutex> lock{*log_mutex};
      ctx.err << "et serve: stopping: new requests get 503; waiting up to " << o.grace
              << "s for requests in flight (again to cancel them)\n"
              << std::flush;
    }
    drain_gateway(*gw, std::chrono::seconds{o.grace}, stop_signals);
    std::lock_guard<std::mutex> lock{*log_mutex};
    ctx.err << "et serve: stopped\n" << std::flush;
    return exit_ok;
  }
  actors::node_setup setup{s,
                           rt->router(),
                           rt->ledger(),
                           routing::node_name(s->server),
                           s->server.tls.enabled(),
                           [log_mutex, &err](const std::string& line) {
                             std::lock_guard<std::mutex> lock{*log_mutex};
                             err << ("et serve: " + line + "\n") << std::flush;
                           }};
  auto name = setup.name;
  auto node = actors::spawn_node(rt->system(), std::move(setup));
  auto door = actors::spawn_node_door(rt->system(), node);
  auto port = publish(door, s->server);
  if (!port) {
    if (gw)
      gw->stop();
    ctx.err << "et serve: cannot listen on " << s->server.host << ":" << s->server.port << ": "
            << rt->system().render(port.error()) << "\n";
    caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
    return exit_failed;
  }
  std::vector<std::string> aliases;
  for (const auto& m : routing::node_aliases(*s))
    aliases.push_back(m.id);
  {
    std::lock_guard<std::mutex> lock{*log_mutex};
    ctx.err << "et serve: node " << name << " listening on " << s->server.host << ":" << *port
            << (s->server.tls.enabled() ? " (mutual TLS)"
                                        : " (INSECURE plain TCP: any local process can reach it)")
            << "; aliases: " << join(aliases, ", ")
            << "; max_in_flight: " << s->server.max_in_flight << "\n"
            << std::flush;
  }
  if (!s->server.tls.enabled()) {
    std::lock_guard<std::mutex> lock{*log_mutex};
    ctx.err << "et serve: WARNING: server.insecure_plaintext: no TLS, no authentication; any "
               "process on this host can use this node and make it allocate memory at will\n"
            << std::flush;
  }
  while (stop_signals == 0)
    std::this_thread::sleep_for(100ms);
  {
    std::lock_guard<std::mutex> lock{*log_mutex};
    ctx.err << "et serve: stopping: no new connections or requests; waiting up to " << o.grace
            << "s for requests in flight (again to cancel them)\n"
            << std::flush;
  }
  // Close the port, then let work in flight end while the node refuses new
  // requests on connections already open (callers fall back at once).
  // (TLS doormen belong to the same broker; caf::openssl::unpublish does not
  // compile in 0.17.6.)
  rt->system().middleman().unpublish(caf::actor_cast<actors::node_actor>(door), *port);
  auto signals = stop_signals.load();
  if (gw)
    gw->drain();
  drain(rt->system(), node, std::chrono::seconds{o.grace}, signals);
  if (gw)
    drain_gateway(*gw, std::chrono::seconds{o.grace}, signals);
  caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
  std::lock_guard<std::mutex> lock{*log_mutex};
  ctx.err << "et serve: stopped\n" << std::flush;
  return exit_ok;
}

} // namespace

void add_serve_command(CLI::App& root, context& ctx) {
  constexpr auto largest_body_mib = gateway::limits{}.max_body_bytes >> 20;
  auto* cmd = root.add_subcommand(
      "serve", "run a node that other hosts use for alias@node, and/or (--http) a gateway for "
               "OpenAI and Anthropic clients (until SIGTERM or Ctrl-C)");
  add_config_flag(*cmd, ctx);
  auto o = std::make_shared<serve_options>();
  cmd->add_option("--listen", o->listen,
                  "HOST:PORT to listen on (default: server.listen; port 0 picks a free one)");
  cmd->add_option("--http", o->http,
                  "also (or, without --listen, only) serve the OpenAI/Anthropic gateway on "
                  "HOST:PORT (port 0 picks a free one; beyond loopback it needs --tls-cert, "
                  "--tls-key and a gateway key from `et keys create`)");
  cmd->add_option("--tls-cert", o->tls_cert,
                  "serve the gateway over HTTPS (TLS 1.2+) with this PEM certificate chain "
                  "(leaf first)");
  cmd->add_option("--tls-key", o->tls_key,
                  "the certificate's unencrypted PEM key (mode 0600: a key every user can read "
                  "is refused)");
  cmd->add_option("--max-connections", o->max_connections,
                  "the gateway's bound on open client connections; more get 503 (default 512; "
                  "each also needs a descriptor and, while it streams, one to the upstream)")
      ->transform(number_check("a whole number of connections, 1 to 1000000", 1, 1e6, true));
  cmd->add_option("--max-bodies-mib", o->max_bodies_mib,
                  "the request bodies the gateway holds at once, in MiB, counted as their "
                  "bytes arrive; a request past it gets 503 with Retry-After (default 256: 8 "
                  "bodies of the largest size; a body is held until its response starts)")
      ->transform(number_check("a whole number of MiB, " + std::to_string(largest_body_mib)
                                   + " (the largest body) to 1048576",
                               static_cast<double>(largest_body_mib), 1048576, true));
  cmd->add_option("--cpus", o->cpus,
                  "size the threads for N cores (default: the cores this process may use, "
                  "its CPU affinity and cgroup quota counted): one actor worker a core; with "
                  "--io threads, a third each for actor workers, the gateway's server I/O and "
                  "the providers' I/O, at least 2, 1 and 1 (1 worker on one core)")
      ->transform(number_check("a whole number of cores, 1 to 1024", 1, util::max_cores, true));
  cmd->add_option("--io", o->io,
                  "who runs the HTTP I/O (gateway and providers): the actor \"workers\" (the "
                  "default; one a core), so that a socket's completion and the actor it wakes "
                  "run on one thread, or \"threads\" of its own (a third of the cores each for "
                  "workers, server I/O and provider I/O)")
      ->check(CLI::IsMember({"threads", "workers"}));
  cmd->add_option("--init-tls", o->init_tls,
                  "write a CA, a node and a client certificate (mutual TLS) to DIR, print the "
                  "configuration lines that use them, and exit");
  cmd->add_option("--grace", o->grace,
                  "seconds requests in flight get to finish after SIGTERM (default 30)")
      ->transform(number_check("whole seconds, 0 to 86400 (a day)", 0, 86400, true));
  cmd->callback([&ctx, o] { ctx.exit = run_serve(ctx, *o); });
}

} // namespace et::app
