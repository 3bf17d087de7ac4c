// GCC 12 reports -Wnull-dereference false positives inside Asio's strand and
// scheduler code once it is inlined into this file; elsewhere the warning stays on.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "et/http/detail/session.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "et/http/detail/request_check.hpp"

namespace et::http::detail {

namespace {

using boost::system::error_code;

// RFC 9110 9.2.2: repeating these has the same effect as sending them once,
// so a request that may have reached a dying connection can be sent again.
bool is_idempotent(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
    if (method == m)
      return true;
  return false;
}

bool enabled(std::chrono::milliseconds limit) {
  return limit.count() > 0;
}

// A real server sends at most a 100 Continue and a 103 Early Hints or two;
// each interim head re-arms the idle timer, so an endless run of them would
// otherwise spin on the I/O thread until the total timeout.
constexpr int max_interim = 8;

} // namespace

session::session(std::shared_ptr<client_state> owner, request req, handlers h)
    : owner_(std::move(owner)), req_(std::move(req)), handlers_(std::move(h)),
      origin_(origin_key(req_.base)
              + (req_.connect_address.empty() ? "" : " at " + req_.connect_address)),
      where_(where(req_.base)), strand_(asio::make_strand(owner_->io)), resolver_(strand_),
      timer_(strand_) {
  // The parser bounds the head and the body, not a chunk header's extensions or the trailers
  // between them: bounded here, an endless one fails the read instead of taking memory.
  buffer_.max_size(owner_->options.max_header_bytes + (std::size_t{64} << 10));
}

void session::start() {
  asio::post(strand_, [self = shared_from_this()] { self->run(); });
}

void session::cancel() {
  asio::post(strand_, [self = shared_from_this()] { self->fail(cancelled(self->where_)); });
}

void session::run() {
  if (done_)
    return;
  if (auto bad = check_request(req_, where_))
    return fail(std::move(*bad));
  if (req_.base.tls() && owner_->tls_error)
    return fail(*owner_->tls_error);
  build_message(req_, owner_->options.user_agent, message_);
  // Waited for from the first step on (each arm() asks the timer for the earlier of the two).
  if (enabled(req_.timeouts.total))
    total_by_ = lazy_timer::clock::now() + req_.timeouts.total;
  conn_ = owner_->connections.acquire(origin_);
  if (!conn_)
    return open_connection();
  reused_ = true;
  do_write();
}

void session::open_connection() {
  conn_ = std::make_unique<connection>(owner_->io.get_executor(),
                                       req_.base.tls() ? &owner_->tls : nullptr);
  conn_->set_peer(req_.base.host, owner_->options.tls.verify);
  reused_ = false;
  answered_ = false;
  written_ = 0;
  buffer_.clear();
  arm(step::connect);
  do_resolve();
}

void session::do_resolve() {
  error_code not_ip;
  if (!req_.connect_address.empty()) {
    auto pinned = asio::ip::make_address(req_.connect_address, not_ip);
    if (not_ip)
      return fail(make_failure(errc::invalid_input,
                               "cannot connect to " + where_ + ": the pinned address is not one"));
    return do_connect({tcp::endpoint{pinned, req_.base.port}});
  }
  // Addresses need no resolver round trip (and no resolver thread).
  auto address = asio::ip::make_address(req_.base.host, not_ip);
  if (!not_ip)
    return do_connect({tcp::endpoint{address, req_.base.port}});
  resolver_.async_resolve(req_.base.host, std::to_string(req_.base.port),
                          bind(&session::on_resolve));
}

void session::on_resolve(const error_code& ec, tcp::resolver::results_type results) {
  if (done_)
    return;
  if (ec)
    return fail(resolve_failed(req_.base.host, ec));
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results)
    endpoints.push_back(entry.endpoint());
  do_connect(endpoints);
}

void session::do_connect(const std::vector<tcp::endpoint>& endpoints) {
  asio::async_connect(conn_->socket(), endpoints, bind(&session::on_connect));
}

void session::on_connect(const error_code& ec, const tcp::endpoint&) {
  if (done_)
    return;
  if (ec)
    return fail(connect_failed(where_, ec));
  error_code ignored;
  conn_->socket().set_option(tcp::no_delay{true}, ignored);
  if (conn_->tls())
    return do_handshake();
  do_write();
}

void session::do_handshake() {
  conn_->tls()->async_handshake(asio::ssl::stream_base::client, bind(&session::on_handshake));
}

void session::on_handshake(const error_code& ec) {
  if (done_)
    return;
  if (ec)
    return fail(handshake_failed(where_, ec, conn_->tls()->native_handle()));
  do_write();
}

void session::do_write() {
  arm(step::first_byte);
  bhttp::async_write(*conn_, message_, bind(&session::on_write));
}

void session::on_write(const error_code& ec, std::size_t written) {
  if (done_)
    return;
  written_ = written;
  wrote_ = wrote_ || written > 0;
  if (ec)
    return may_retry() ? retry() : fail(io_failed(step::first_byte, where_, ec, 0, 0));
  do_read_first();
}

// A plain read before Beast's parser takes over: it tells apart "the server
// answered" from "the connection died first", which decides a retry.
void session::do_read_first() {
  conn_->async_read_some(buffer_.prepare(least_buffer()), bind(&session::on_read_first));
}

void session::on_read_first(const error_code& ec, std::size_t n) {
  if (done_)
    return;
  buffer_.commit(n);
  answered_ = n > 0;
  if (ec && !answered_)
    return may_retry() ? retry() : fail(io_failed(step::first_byte, where_, ec, 0, 0));
  do_read_head();
}

void session::do_read_head() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(owner_->options.max_header_bytes));
  parser_->body_limit(std::uint64_t{owner_->options.max_body_bytes});
  parser_->skip(req_.method == "HEAD");
  arm(step::head);
  bhttp::async_read_header(*conn_, buffer_, *parser_, bind(&session::on_read_head));
}

void session::on_read_head(const error_code& ec, std::size_t) {
  if (done_)
    return;
  if (ec)
    return fail(io_failed(step::head, where_, ec, 0, owner_->options.max_body_bytes));
  int status = parser_->get().result_int();
  // Interim answers (100 Continue, 103 Early Hints) precede the real one.
  if (status >= 100 && status < 200 && status != 101) {
    if (++interim_ > max_interim)
      return fail(too_many_interim(where_, max_interim));
    return do_read_head();
  }
  // The request was written and an answer began: it is never sent again (no retry past the
  // first response byte), so its body (a coding agent's whole conversation) goes now, not
  // when a long stream ends.
  std::string{}.swap(message_.body());
  deliver_head();
  if (parser_->is_done())
    return succeed();
  do_read_body();
}

void session::deliver_head() {
  if (!handlers_.on_head)
    return;
  response_head head;
  head.status = parser_->get().result_int();
  for (const auto& field : parser_->get())
    head.headers.emplace_back(std::string{field.name_string()}, std::string{field.value()});
  handlers_.on_head(head);
}

std::chrono::milliseconds session::limit_of(step s) const {
  switch (s) {
    case step::connect:
      return req_.timeouts.connect;
    case step::first_byte:
      return req_.timeouts.first_byte;
    case step::head:
    case step::body:
      return req_.timeouts.idle;
  }
  return {};
}

// One lazy timer for the step's deadline and the total one: moving on to the next step
// stores a time and touches the timer only when the new deadline is the sooner.
void session::arm(step s) {
  step_ = s;
  auto limit = limit_of(s);
  step_by_ = enabled(limit) ? lazy_timer::clock::now() + limit : lazy_timer::never;
  wake_by_deadline();
}

void session::wake_by_deadline() {
  timer_.wake_by(std::min(step_by_, total_by_),
                 [self = shared_from_this()] { self->on_deadline(); });
}

void session::on_deadline() {
  if (done_)
    return;
  auto now = lazy_timer::clock::now();
  if (total_by_ <= now)
    return fail(total_timed_out(req_.timeouts.total, where_));
  if (step_by_ <= now)
    return fail(timed_out(step_, limit_of(step_), where_));
  wake_by_deadline();
}

// A pooled connection can die between our health check and our write (the
// server's idle timeout races us). Sending again is safe only when the server
// cannot have acted on the request.
bool session::may_retry() const {
  return reused_ && !retried_ && !answered_ && (is_idempotent(req_.method) || written_ == 0);
}

void session::retry() {
  conn_->close();
  retried_ = true;
  open_connection();
}

void session::fail(failure f) {
  if (done_)
    return;
  // Whatever ended it before the request went out (no address, no connection, no handshake,
  // a deadline, a cancel), the provider never saw it: typed, so no one bills it by guess.
  f.unsent = step_ == step::connect && !wrote_; // a retry's connect may follow a write
  resolver_.cancel();
  // Close but keep the object: an operation still pending on it completes
  // (with operation_aborted) and finds done_ set.
  if (conn_)
    conn_->close();
  finish(std::move(f));
}

void session::succeed() {
  bool reusable = message_.keep_alive() && parser_->keep_alive() && buffer_.size() == 0;
  if (reusable)
    owner_->connections.release(origin_, std::move(conn_));
  else
    conn_->close();
  finish({});
}

// Returning the connection before on_done lets a caller that sends its next
// request from on_done reuse it.
void session::finish(result<void> outcome) {
  done_ = true;
  timer_.cancel(); // its wait holds the session
  auto on_done = std::move(handlers_.on_done);
  handlers_ = {};
  if (on_done)
    on_done(std::move(outcome));
}

} // namespace et::http::detail
