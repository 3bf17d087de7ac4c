// GCC 12 reports -Wnull-dereference false positives inside Asio's scheduler
// once it is inlined here; the warning stays on elsewhere.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "loopback_server.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace et::test {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

std::string http_head(int status, const fields& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " Scripted\r\n";
  for (const auto& [name, value] : headers)
    out += name + ": " + value + "\r\n";
  return out + "\r\n";
}

std::string http_response(int status, std::string_view body, fields headers) {
  headers.emplace_back("Content-Length", std::to_string(body.size()));
  return http_head(status, headers) + std::string{body};
}

std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string{data} + "\r\n";
}

std::string last_chunk() {
  return "0\r\n\r\n";
}

uint16_t unused_port() {
  asio::io_context io;
  tcp::acceptor a{io, {asio::ip::make_address("127.0.0.1"), 0}};
  return a.local_endpoint().port();
}

reply reply::ok(std::string_view body) {
  return reply{}.send(http_response(200, body, {{"Content-Type", "text/plain"}}));
}

reply reply::chunked(const std::vector<std::string>& parts) {
  reply r;
  r.send(http_head(200, {{"Transfer-Encoding", "chunked"}}));
  for (const auto& p : parts)
    r.send(chunk(p));
  return r.send(last_chunk());
}

reply& reply::send(std::string bytes) {
  steps_.push_back({kind::send, std::move(bytes), {}});
  return *this;
}
reply& reply::pause(std::chrono::milliseconds d) {
  steps_.push_back({kind::pause, {}, d});
  return *this;
}
reply& reply::wait_gate() {
  steps_.push_back({kind::wait_gate, {}, {}});
  return *this;
}
reply& reply::stall() {
  steps_.push_back({kind::stall, {}, {}});
  return *this;
}
reply& reply::reset() {
  steps_.push_back({kind::reset, {}, {}});
  return *this;
}
reply& reply::close() {
  steps_.push_back({kind::close, {}, {}});
  return *this;
}

struct silent_listener::impl {
  asio::io_context io;
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
};

silent_listener::silent_listener() : impl_(std::make_unique<impl>()) {}

silent_listener::~silent_listener() = default;

uint16_t silent_listener::port() const {
  return impl_->acceptor.local_endpoint().port();
}

// Members that own I/O objects come after `io` so they die before it; the
// coroutine frames die with `io`, while everything they point to still lives.
struct loopback_server::impl {
  script handler;
  std::optional<ssl::context> tls;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::size_t accepted = 0;
  std::size_t closed = 0;
  std::vector<seen_request> seen;
  std::size_t permits = 0; // server thread only
  uint16_t port = 0;       // set before the thread starts
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer gate{io, asio::steady_timer::time_point::max()};
  std::thread thread;

  template <class Pred>
  bool wait(std::chrono::milliseconds bound, Pred pred) const {
    std::unique_lock<std::mutex> lock{mutex};
    return changed.wait_for(lock, bound, pred);
  }

  std::size_t count_accept() {
    std::lock_guard<std::mutex> guard{mutex};
    changed.notify_all();
    return ++accepted;
  }

  void count_close() {
    std::lock_guard<std::mutex> guard{mutex};
    ++closed;
    changed.notify_all();
  }

  void record(const seen_request& r) {
    std::lock_guard<std::mutex> guard{mutex};
    seen.push_back(r);
    changed.notify_all();
  }

  awaitable<void> accept_loop();
  awaitable<void> serve(tcp::socket socket, std::size_t id);
  template <class Stream>
  awaitable<void> converse(Stream& stream, std::size_t id, std::string sni);
  template <class Stream>
  awaitable<bool> play(Stream& stream, const reply& r);
};
template <class Stream>
awaitable<bool> loopback_server::impl::play(Stream& stream, const reply& r) {
  auto& socket = boost::beast::get_lowest_layer(stream);
  for (const auto& st : r.steps()) {
    switch (st.what) {
      case reply::kind::send:
        co_await asio::async_write(stream, asio::buffer(st.bytes), use_awaitable);
        break;
      case reply::kind::pause: {
        asio::steady_timer t{io, st.delay};
        co_await t.async_wait(use_awaitable);
        break;
      }
      case reply::kind::wait_gate: {
        boost::system::error_code woken;
        while (permits == 0)
          co_await gate.async_wait(asio::redirect_error(use_awaitable, woken));
        --permits;
        break;
      }
      case reply::kind::stall: {
        asio::steady_timer never{io, asio::steady_timer::time_point::max()};
        co_await never.async_wait(use_awaitable);
        co_return false;
      }
      case reply::kind::reset:
        socket.set_option(asio::socket_base::linger{true, 0});
        socket.close();
        co_return false;
      case reply::kind::close: {
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close();
        co_return false;
      }
    }
  }
  co_return true;
}

template <class Stream>
awaitable<void> loopback_server::impl::converse(Stream& stream, std::size_t id, std::string sni) {
  boost::beast::flat_buffer buffer;
  for (std::size_t seq = 1;; ++seq) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(64u << 20);
    co_await bhttp::async_read(stream, buffer, parser, use_awaitable);
    const auto& msg = parser.get();
    seen_request r{
        std::string{msg.method_string()}, std::string{msg.target()}, {}, msg.body(), id, seq, sni};
    for (const auto& f : msg)
      r.headers.emplace_back(std::string{f.name_string()}, std::string{f.value()});
    record(r);
    if (!co_await play(stream, handler(r)))
      co_return;
  }
}

awaitable<void> loopback_server::impl::serve(tcp::socket socket, std::size_t id) {
  try {
    if (tls) {
      ssl::stream<tcp::socket> stream{std::move(socket), *tls};
      co_await stream.async_handshake(ssl::stream_base::server, use_awaitable);
      const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
      co_await converse(stream, id, name ? name : "");
    } else {
      co_await converse(socket, id, "");
    }
  } catch (const std::exception&) {
    // The client went away, or a handshake failed: both are test scenarios.
  }
  count_close();
}

awaitable<void> loopback_server::impl::accept_loop() {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
    asio::co_spawn(io, serve(std::move(socket), count_accept()), asio::detached);
  }
}

loopback_server::loopback_server(script sc, const tls_identity* identity)
    : impl_(std::make_unique<impl>()) {
  impl_->handler = std::move(sc);
  if (identity) {
    auto& ctx = impl_->tls.emplace(ssl::context::tls_server);
    ctx.use_certificate_chain(asio::buffer(identity->cert_pem));
    ctx.use_private_key(asio::buffer(identity->key_pem), ssl::context::pem);
  }
  tcp::endpoint local{asio::ip::make_address("127.0.0.1"), 0};
  impl_->acceptor.open(local.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(local);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([io = &impl_->io] { io->run(); });
}

loopback_server::~loopback_server() {
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t loopback_server::port() const {
  return impl_->port;
}

std::string loopback_server::url() const {
  return std::string{impl_->tls ? "https" : "http"} + "://127.0.0.1:" + std::to_string(port());
}

std::size_t loopback_server::accepted() const {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  return impl_->accepted;
}

std::size_t loopback_server::closed() const {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  return impl_->closed;
}

std::vector<seen_request> loopback_server::requests() const {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  return impl_->seen;
}

bool loopback_server::wait_requests(std::size_t n, std::chrono::milliseconds bound) const {
  return impl_->wait(bound, [&] { return impl_->seen.size() >= n; });
}

bool loopback_server::wait_closed(std::size_t n, std::chrono::milliseconds bound) const {
  return impl_->wait(bound, [&] { return impl_->closed >= n; });
}

void loopback_server::open_gate() {
  asio::post(impl_->io, [s = impl_.get()] {
    ++s->permits;
    s->gate.cancel();
  });
}

} // namespace et::test
