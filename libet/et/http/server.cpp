// GCC 12 reports -Wnull-dereference false positives inside Asio's strand and
// scheduler code once it is inlined into this file; elsewhere the warning stays on.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "et/http/server.hpp"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "et/http/detail/run_loop.hpp"
#include "et/http/detail/runtime_state.hpp"
#include "et/http/detail/server_session.hpp"
#include "et/http/runtime.hpp"

namespace et::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string_view incoming::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a))
                 == std::tolower(static_cast<unsigned char>(b));
        }))
      return v;
  return {};
}

bool incoming::has_header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a))
                 == std::tolower(static_cast<unsigned char>(b));
        }))
      return true;
  return false;
}

std::string reason_phrase(int status) {
  if (status == 529)
    return "Overloaded";
  auto text = boost::beast::http::obsolete_reason(
      boost::beast::http::int_to_status(static_cast<unsigned>(status)));
  if (text == "<unknown-status>")
    return "Unknown";
  return std::string{text.data(), text.size()};
}

// -- reply: every call hops onto the session's strand -------------------------
// A hop is a post to another thread, so start() and end() carry a piece each: a streamed
// answer of one piece is two hops, not five.

namespace {

// Runs `f` on `s`'s strand while request `request` is its request under way: a reply of an
// earlier request on the connection touches nothing of a later one.
template <class F>
void post_if_current(std::shared_ptr<detail::server_session> s, uint64_t request, F f) {
  auto& session = *s;
  net::post(session.executor(), [s = std::move(s), request, f = std::move(f)]() mutable {
    if (s->request_number() == request)
      f(*s);
  });
}

// The same, when the session is still there.
template <class F>
void on_session(const std::weak_ptr<detail::server_session>& weak, uint64_t request, F f) {
  if (auto s = weak.lock())
    post_if_current(std::move(s), request, std::move(f));
}

} // namespace

void reply::send(int status, header_list headers, std::string body) {
  on_session(session_, request_, [=, h = std::move(headers), b = std::move(body)](auto& s) mutable {
    s.send(status, std::move(h), std::move(b));
  });
}

void reply::start(int status, header_list headers, std::string first) {
  on_session(session_, request_,
             [=, h = std::move(headers), p = std::move(first)](auto& s) mutable {
               s.start(status, std::move(h));
               s.write(std::move(p));
             });
}

void reply::write(std::string piece) {
  if (!piece.empty())
    on_session(session_, request_,
               [p = std::move(piece)](auto& s) mutable { s.write(std::move(p)); });
}

void reply::end(std::string last) {
  on_session(session_, request_, [p = std::move(last)](auto& s) mutable {
    s.write(std::move(p));
    s.end();
  });
}

void reply::on_close(std::function<void()> f) {
  auto s = session_.lock(); // once: a session gone between two looks would drop `f`
  if (!s) {
    if (f)
      f(); // already gone
    return;
  }
  post_if_current(std::move(s), request_,
                  [f = std::move(f)](auto& session) mutable { session.on_close(std::move(f)); });
}

// -- server --------------------------------------------------------------------

struct server::impl : std::enable_shared_from_this<server::impl>, detail::server_core {
  explicit impl(std::shared_ptr<runtime> rt)
      : driven_by(std::move(rt)), own(driven_by ? nullptr : std::make_unique<net::io_context>()),
        ioc(own ? *own : driven_by->state().io) {}
  std::shared_ptr<runtime> driven_by; // whose io_context it runs on, if not its own
  std::unique_ptr<net::io_context> own;
  net::io_context& ioc;
  // The acceptor's handlers and stop()'s close run on one strand: with several I/O threads an
  // accept's completion and the close would otherwise touch the acceptor at once.
  net::strand<net::io_context::executor_type> accepting = net::make_strand(ioc);
  tcp::acceptor acceptor{accepting};
  net::steady_timer accept_pause{accepting}; ///< between accepts that ran out of descriptors
  std::atomic<std::size_t> starved_accepts{0};
  std::vector<std::thread> threads;
  bool started = false; // listening, and something runs ioc
  std::mutex mutex;
  std::vector<std::weak_ptr<detail::server_session>> sessions;
  bool stopped = false;

  // Out of descriptors or memory, an accept made again at once fails again at once: a busy
  // loop that takes the CPU from the connections whose end would free a descriptor. Other
  // failures (a client that reset before it was accepted) are its own, and the next goes on.
  void accept_after(boost::system::error_code ec) {
    bool starved = ec == net::error::no_descriptors || ec == net::error::no_buffer_space
                   || ec == net::error::no_memory
                   || ec == boost::system::errc::too_many_files_open_in_system;
    if (!starved)
      return accept();
    ++starved_accepts;
    accept_pause.expires_after(std::chrono::milliseconds{50});
    accept_pause.async_wait([self = shared_from_this()](boost::system::error_code waited) {
      if (!waited && self->acceptor.is_open())
        self->accept();
    });
  }

  void accept() {
    acceptor.async_accept(
        net::make_strand(ioc),
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
          if (ec) {
            if (self->acceptor.is_open() && ec != net::error::operation_aborted)
              self->accept_after(ec);
            return;
          }
          auto n = ++self->open;
          std::shared_ptr<detail::server_core> core = self;
          auto s = std::make_shared<detail::server_session>(std::move(socket), core);
          {
            std::lock_guard<std::mutex> lock{self->mutex};
            std::erase_if(self->sessions, [](const auto& w) { return w.expired(); });
            self->sessions.push_back(s);
          }
          bool over = n > self->opts.max_connections;
          net::post(s->executor(), [s, over] { s->run(over); });
          self->accept();
        });
  }
};

server::server(server_options options, request_handler handler, error_renderer errors,
               head_check admit)
    : impl_(std::make_shared<impl>(options.driven_by)) {
  impl_->opts = std::move(options);
  impl_->handler = std::move(handler);
  impl_->errors = std::move(errors);
  impl_->admit = std::move(admit);
}

server::~server() {
  stop();
}

namespace {

// How long stop() waits for closed sessions to go on a runtime it does not run itself.
constexpr std::chrono::seconds closing_bound{5};

// Mozilla's "intermediate" TLS 1.2 suites (forward secret, AEAD only); TLS 1.3
// keeps OpenSSL's defaults, which are all of that kind.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

result<std::unique_ptr<net::ssl::context>> tls_context(const server_tls_files& files) {
  auto checked = check_server_tls(files);
  if (!checked)
    return std::move(checked).error();
  auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  auto* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // No compression (CRIME), no renegotiation (a client could make the server
  // redo its costly half of a handshake at will on one connection).
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_cipher_list(native, tls12_ciphers);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(files.certificate, ec);
  if (!ec)
    ctx->use_private_key_file(files.key, net::ssl::context::pem, ec);
  if (ec) // checked just above: only a file replaced in between gets here
    return make_failure(errc::invalid_config, "cannot load the TLS certificate " + files.certificate
                                                  + " and key " + files.key + ": " + ec.message());
  return ctx;
}

} // namespace

result<uint16_t> server::start() {
  auto& i = *impl_;
  if (i.driven_by && !i.driven_by->is_driven())
    return make_failure(errc::invalid_config,
                        "the server was given a runtime with threads of its own to run on");
  if (i.opts.max_bodies_bytes < i.opts.max_body_bytes)
    return make_failure(
        errc::invalid_config,
        "the bound on request bodies held at once (" + std::to_string(i.opts.max_bodies_bytes)
            + " bytes) is below the largest body (" + std::to_string(i.opts.max_body_bytes)
            + " bytes): a body of that size could never be read");
  if (i.opts.tls) {
    auto ctx = tls_context(*i.opts.tls);
    if (!ctx)
      return std::move(ctx).error();
    i.tls = std::move(*ctx);
  }
  boost::system::error_code ec;
  auto address = net::ip::make_address(i.opts.host, ec);
  if (ec)
    return make_failure(errc::invalid_config, "not an IP address: " + i.opts.host);
  tcp::endpoint at{address, i.opts.port};
  i.acceptor.open(at.protocol(), ec);
  if (!ec)
    i.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    i.acceptor.bind(at, ec);
  if (!ec)
    i.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return make_failure(errc::network, "cannot listen on " + i.opts.host + ":"
                                           + std::to_string(i.opts.port) + ": " + ec.message());
  auto port = i.acceptor.local_endpoint().port();
  i.accept();
  i.started = true;
  for (int n = 0; n < (i.driven_by ? 0 : std::max(1, i.opts.threads)); ++n) {
    i.threads.emplace_back([self = impl_] { detail::run_polling(self->ioc); });
    detail::name_thread(i.threads.back(), "et.http.server");
  }
  return port;
}

void server::stop(std::chrono::milliseconds grace) {
  auto& i = *impl_;
  {
    std::lock_guard<std::mutex> lock{i.mutex};
    if (i.stopped)
      return;
    i.stopped = true;
  }
  if (!i.started) {
    // Never started, or start() failed: nothing runs the io_context, so nothing may be posted
    // to it (a handler holding impl_ in impl_'s own queue would keep both alive for good).
    boost::system::error_code ignored;
    i.acceptor.close(ignored);
    return;
  }
  auto each_session = [self = impl_](auto f) {
    std::lock_guard<std::mutex> lock{self->mutex};
    for (auto& w : self->sessions)
      if (auto s = w.lock())
        net::post(s->executor(), [s, f] { f(*s); });
  };
  net::post(i.accepting, [self = impl_, each_session] {
    boost::system::error_code ignored;
    self->acceptor.close(ignored);
    self->accept_pause.cancel();
    each_session([](detail::server_session& s) { s.wind_down(); });
  });
  // Bounded: a response that does not end within the grace is cut.
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (i.open.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  each_session([](detail::server_session& s) { s.close(); });
  // The threads return once every connection is closed and nothing is left to run. Driven by
  // another's threads, the sessions are waited for instead (bounded: those threads may be
  // gone, and then so is every session's chance to run).
  for (auto& t : i.threads)
    t.join();
  i.threads.clear();
  auto closed_by = std::chrono::steady_clock::now() + closing_bound;
  while (i.driven_by && i.open.load() > 0 && std::chrono::steady_clock::now() < closed_by)
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
}

std::size_t server::connections() const {
  return impl_->open.load();
}

std::size_t server::body_bytes() const {
  return impl_->bodies.held();
}

std::size_t server::starved_accepts() const {
  return impl_->starved_accepts.load();
}

} // namespace et::http
