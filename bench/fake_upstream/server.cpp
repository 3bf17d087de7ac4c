// GCC 12 reports -Wnull-dereference false positives inside Asio's strand and
// scheduler code once it is inlined into this file; elsewhere the warning stays on.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <thread>
#include <vector>

#include "report.hpp"
#include "session.hpp"
#include "state.hpp"

namespace et::fake {

namespace net = boost::asio;
using net::ip::tcp;
using error_code = boost::system::error_code;

/// The io_context, the listener and the threads; sessions own themselves.
struct server::impl {
  explicit impl(const options& o) : state(o) {}

  void do_accept() {
    acceptor->async_accept(net::make_strand(*ioc),
                           [this](error_code ec, tcp::socket s) { on_accept(ec, std::move(s)); });
  }

  void on_accept(error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open())
      return;
    if (!ec) {
      state.count.connections.fetch_add(1, std::memory_order_relaxed);
      if (state.faults.refuse_connection()) {
        state.count.refused.fetch_add(1, std::memory_order_relaxed);
        state.count.by_fault[static_cast<size_t>(fault::refuse)].fetch_add(1);
        error_code ignored;
        socket.close(ignored); // the client sees the connection end before any answer
      } else {
        std::make_shared<detail::session>(std::move(socket), state)->run();
      }
    }
    do_accept();
  }

  detail::server_state state;
  std::unique_ptr<net::io_context> ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  uint16_t port = 0;
};

server::server(options opts) : impl_(std::make_unique<impl>(opts)) {}

server::~server() {
  stop();
}

result<void> server::start() {
  auto& s = *impl_;
  if (s.ioc)
    return make_failure(errc::invalid_input, "the fake upstream is already running");
  const auto& o = s.state.opts;
  error_code ec;
  auto addr = net::ip::make_address(o.host, ec);
  if (ec)
    return make_failure(errc::invalid_config, "bad listen address " + o.host + ": " + ec.message());
  auto ioc = std::make_unique<net::io_context>(std::max(1, o.threads));
  auto acceptor = std::make_unique<tcp::acceptor>(*ioc);
  tcp::endpoint ep{addr, o.port};
  if (acceptor->open(ep.protocol(), ec); !ec)
    if (acceptor->set_option(net::socket_base::reuse_address{true}, ec); !ec)
      if (acceptor->bind(ep, ec); !ec)
        acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return make_failure(errc::network, "cannot listen on " + o.host + ":" + std::to_string(o.port)
                                           + ": " + ec.message());
  s.port = acceptor->local_endpoint().port();
  s.ioc = std::move(ioc);
  s.acceptor = std::move(acceptor);
  s.do_accept();
  for (int i = 0; i < std::max(1, o.threads); ++i)
    s.threads.emplace_back([ioc = s.ioc.get()] { ioc->run(); });
  return {};
}

void server::stop() {
  auto& s = *impl_;
  if (!s.ioc)
    return;
  s.ioc->stop();
  for (auto& t : s.threads)
    t.join();
  s.threads.clear();
  s.state.holds.clear(); // held sessions are owned there; they close before their context goes
  // Destroying the context destroys the pending handlers, and with them the
  // sessions and their sockets: hung clients see the connection close.
  s.acceptor.reset();
  s.ioc.reset();
}

uint16_t server::port() const {
  return impl_->port;
}

const options& server::settings() const {
  return impl_->state.opts;
}

stats server::snapshot() const {
  return detail::stats_of(impl_->state);
}

served_report server::served() const {
  return impl_->state.served.snapshot();
}

uint64_t server::requests(endpoint e) const {
  return impl_->state.count.by_endpoint[static_cast<size_t>(e)].load();
}

} // namespace et::fake
