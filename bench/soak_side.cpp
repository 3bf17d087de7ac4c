#include "soak_side.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"

namespace et::bench::soak {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
using ledger_pointer = actors::ledger_actor::pointer;
using namespace et::actors;

void note(attempt_log& log, const cost::call_record& rec) {
  std::lock_guard guard{log.mutex};
  ++log.attempts;
  log.retries += rec.attempt > 1 ? 1 : 0;
  ++log.by_outcome[rec.outcome];
  auto ms = static_cast<double>(rec.latency.count());
  log.all_ms.push_back(ms);
  if (rec.ok)
    log.ok_ms.push_back(ms);
}

actors::ledger_actor::behavior_type tap(ledger_pointer self, actors::ledger_actor real,
                                        std::shared_ptr<attempt_log> log) {
  return {
      [=](record_atom, cost::call_record& rec) {
        note(*log, rec);
        self->send(real, record_atom::value, std::move(rec));
      },
      [=](record_atom, uint64_t reservation, cost::call_record& rec) {
        note(*log, rec);
        self->send(real, record_atom::value, reservation, std::move(rec));
      },
      [=](budget_atom, cost::budget_query& q) {
        return self->delegate(real, budget_atom::value, std::move(q));
      },
      [=](cancel_atom, uint64_t reservation) { self->send(real, cancel_atom::value, reservation); },
      [=](summary_atom) { return self->delegate(real, summary_atom::value); },
  };
}

int64_t int_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_number() ? v->to_number<int64_t>() : 0;
}

billed billed_of(const json::value& v) {
  if (!v.is_object())
    return {};
  const auto& o = v.get_object();
  return {int_of(o, "answers"), int_of(o, "prompt_tokens"), int_of(o, "completion_tokens")};
}

// One GET over a fresh loopback connection; "" on any error.
std::string http_get(uint16_t port, const std::string& target) {
  try {
    net::io_context ioc;
    net::ip::tcp::socket socket{ioc};
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    beast::http::request<beast::http::empty_body> req{beast::http::verb::get, target, 11};
    req.set(beast::http::field::host, "127.0.0.1");
    req.keep_alive(false);
    beast::http::write(socket, req);
    beast::flat_buffer buf;
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(256ULL * 1024 * 1024);
    beast::http::read(socket, buf, parser);
    return parser.get().result_int() == 200 ? parser.get().body() : "";
  } catch (const std::exception&) {
    return "";
  }
}

} // namespace

actors::ledger_actor spawn_ledger_tap(caf::actor_system& sys, actors::ledger_actor real,
                                      std::shared_ptr<attempt_log> log) {
  return sys.spawn(tap, std::move(real), std::move(log));
}

actors::provider_factory watch_provider(actors::provider_factory inner, std::string name,
                                        std::shared_ptr<victim_registry> reg) {
  return [inner = std::move(inner), name = std::move(name),
          reg = std::move(reg)](caf::local_actor* parent, const config::provider& p) {
    auto hdl = inner(parent, p);
    if (p.name == name) {
      std::lock_guard guard{reg->mutex};
      reg->current = hdl;
      ++reg->spawned;
    }
    return hdl;
  };
}

upstream_report read_report(uint16_t port, bool with_texts) {
  upstream_report r;
  auto body = http_get(port, with_texts ? "/fake/report" : "/fake/report?texts=0");
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return r;
  const auto& o = v.get_object();
  r.ok = true;
  r.requests = int_of(o, "requests");
  r.held = int_of(o, "held");
  if (const auto* f = o.if_contains("faults"); f && f->is_object())
    for (const auto& [name, n] : f->get_object())
      r.faults[std::string{name}] = n.is_number() ? n.to_number<int64_t>() : 0;
  if (const auto* s = o.if_contains("served"); s && s->is_object()) {
    r.total = billed_of(*s);
    if (const auto* m = s->get_object().if_contains("models"); m && m->is_object())
      for (const auto& [model, u] : m->get_object())
        r.models[std::string{model}] = billed_of(u);
  }
  if (const auto* t = o.if_contains("texts"); t && t->is_array())
    for (const auto& e : t->get_array())
      if (e.is_object() && e.get_object().if_contains("text")
          && e.get_object().at("text").is_string())
        r.texts[std::string{e.get_object().at("text").get_string()}] +=
            int_of(e.get_object(), "count");
  return r;
}

void merge(upstream_report& into, const upstream_report& more) {
  auto add = [](billed& a, const billed& b) {
    a.answers += b.answers;
    a.prompt_tokens += b.prompt_tokens;
    a.completion_tokens += b.completion_tokens;
  };
  into.ok = into.ok && more.ok;
  into.requests += more.requests;
  into.held += more.held;
  for (const auto& [name, n] : more.faults)
    into.faults[name] += n;
  add(into.total, more.total);
  for (const auto& [model, b] : more.models)
    add(into.models[model], b);
  for (const auto& [text, n] : more.texts)
    into.texts[text] += n;
}

crash_injector::crash_injector(uint16_t port, std::shared_ptr<victim_registry> reg)
    : port_(port), reg_(std::move(reg)), thread_([this] { loop(); }) {}

crash_injector::~crash_injector() {
  stop_ = true;
  thread_.join();
}

void crash_injector::loop() {
  int64_t seen = 0;
  while (!stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
    auto r = read_report(port_, false);
    if (!r.ok || r.held <= seen)
      continue;
    // Held streams are never released: each one is a call of the victim
    // that stopped after its first content event and waits for us.
    seen = r.held;
    actors::provider_actor victim;
    {
      std::lock_guard guard{reg_->mutex};
      victim = reg_->current;
    }
    if (victim) {
      // A crash as a throwing handler ends it. Not exit_reason::kill: CAF
      // treats a propagated kill as fatal, so it would take the router along.
      caf::anon_send_exit(victim, caf::exit_reason::unhandled_exception);
      ++kills_;
    }
  }
}

int64_t rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::atoll(line.c_str() + 6);
  return 0;
}

} // namespace et::bench::soak
