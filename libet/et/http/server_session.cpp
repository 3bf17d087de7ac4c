// GCC 12 reports -Wnull-dereference false positives inside Asio's strand and
// scheduler code once it is inlined into this file; elsewhere the warning stays on.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/http/read.hpp>

#include "et/http/detail/server_session.hpp"

namespace et::http::detail {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using error_code = boost::system::error_code;

namespace {

// How much of a refused request linger() reads and drops at most (a client
// that writes its whole body before reading must get to read the refusal).
constexpr std::size_t linger_bytes = std::size_t{64} << 20;

// Room in the read buffer past the largest head: one read of body bytes (Beast reads 64 KiB at
// a time), or a chunk header or trailers this long at most.
constexpr std::size_t framing_bytes = std::size_t{64} << 10;

} // namespace

server_session::server_session(net::ip::tcp::socket socket, std::shared_ptr<server_core> core)
    : stream_(std::move(socket), core->tls.get()), core_(std::move(core)),
      timer_(stream_.get_executor()) {
  // The parser's limits bound the head and the body, not the framing between: a chunk's
  // header line (its extensions) and the trailers grow the buffer until they end. Bounded, a
  // line that outgrows it fails the read (buffer_overflow) instead of taking memory.
  buffer_.max_size(core_->opts.max_header_bytes + framing_bytes);
}

server_session::~server_session() {
  let_go();
  --core_->open;
}

void server_session::run(bool over_limit) {
  over_limit_ = over_limit;
  error_code ignored;
  stream_.socket().set_option(net::ip::tcp::no_delay{true}, ignored); // events must leave at once
  if (!stream_.tls())
    return begin();
  // The hello and the handshake share one deadline: a client that connects and
  // says nothing, or stalls halfway, loses its slot when it passes.
  arm(read_by_, core_->opts.handshake_timeout);
  stream_.socket().async_read_some(
      buffer_.prepare(1024),
      [self = shared_from_this()](error_code ec, std::size_t n) { self->on_hello(ec, n); });
}

void server_session::on_hello(error_code ec, std::size_t n) {
  if (phase_ == phase::closed)
    return;
  if (ec) {
    read_by_ = lazy_timer::never;
    return close();
  }
  buffer_.commit(n);
  // Every TLS connection opens with a handshake record (content type 22).
  if (static_cast<const unsigned char*>(buffer_.data().data())[0] != 0x16) {
    read_by_ = lazy_timer::never;
    keep_alive_ = false;
    return respond_error(400, "this port speaks HTTPS (TLS): use an https:// URL");
  }
  stream_.tls_layer().async_handshake(
      net::ssl::stream_base::server, buffer_.data(),
      [self = shared_from_this()](error_code e, std::size_t used) { self->on_handshake(e, used); });
}

void server_session::on_handshake(error_code ec, std::size_t used) {
  read_by_ = lazy_timer::never;
  if (phase_ == phase::closed)
    return;
  if (ec)
    return close(); // not TLS after all, no common version or cipher, or the deadline passed
  buffer_.consume(used);
  stream_.secure();
  begin();
}

void server_session::begin() {
  if (over_limit_)
    return respond_error(503, "the gateway has too many open connections; try again later");
  read_header();
}

void server_session::arm(lazy_timer::clock::time_point& deadline, std::chrono::milliseconds limit) {
  deadline = lazy_timer::clock::now() + limit;
  wake_by(deadline);
}

void server_session::wake_by(lazy_timer::clock::time_point t) {
  timer_.wake_by(t, [self = shared_from_this()] { self->on_deadline(); });
}

void server_session::on_deadline() {
  if (phase_ == phase::closed)
    return;
  auto next = std::min(read_by_, write_by_);
  if (next > lazy_timer::clock::now())
    return wake_by(next);
  // Passed: whatever waited on the socket fails.
  error_code ignored;
  stream_.socket().close(ignored);
}

void server_session::read_header() {
  phase_ = phase::reading;
  // A new request: until its handler replies, no write (a 100 Continue) ends a response.
  replied_ = ended_ = false;
  ++requests_;
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(core_->opts.max_header_bytes));
  parser_->body_limit(core_->opts.max_body_bytes);
  arm(read_by_, core_->opts.header_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
}

void server_session::on_header(error_code ec) {
  read_by_ = lazy_timer::never;
  if (phase_ == phase::closed)
    return;
  // The start line is parsed first, so the target is known even for a refusal.
  target_ = std::string{parser_->get().target()};
  if (ec == bhttp::error::header_limit)
    return respond_error(431, "the request headers are larger than "
                                  + std::to_string(core_->opts.max_header_bytes) + " bytes");
  if (ec == bhttp::error::body_limit) // a Content-Length past the bound, seen with the headers
    return respond_error(413, "the request body is larger than "
                                  + std::to_string(core_->opts.max_body_bytes) + " bytes");
  if (ec)
    return close(); // the client left, timed out or sent something that is not HTTP
  auto length = parser_->content_length();
  if (length && *length > core_->opts.max_body_bytes)
    return respond_error(413, "the request body is larger than "
                                  + std::to_string(core_->opts.max_body_bytes) + " bytes");
  if (!admitted())
    return;
  // A body that cannot fit beside those held now is refused before a byte of it is read (and
  // without a Continue). Only bytes that arrived are held: a client that announces a large
  // body and sends it slowly, or never, holds no more than it sent.
  if (length && *length > core_->bodies.left(core_->opts.max_bodies_bytes))
    return refuse_busy();
  auto expect = parser_->get()[bhttp::field::expect];
  if (boost::beast::iequals(expect, "100-continue"))
    enqueue("HTTP/1.1 100 Continue\r\n\r\n");
  arm(read_by_, core_->opts.body_timeout);
  read_body();
}

// The head as the handler will get it, shown to the server's head check first: false when
// the check answered (the body is then not kept: it is read and dropped while the answer
// lingers, for as long as a body may take, so a client that sends its body before reading
// gets the refusal rather than a reset).
bool server_session::admitted() {
  const auto& head = parser_->get();
  request_ = incoming{};
  request_.method = std::string{head.method_string()};
  request_.target = target_;
  for (const auto& field : head)
    request_.headers.emplace_back(std::string{field.name_string()}, std::string{field.value()});
  // Without a body to protect, the handler comes next anyway: the check would be work twice.
  if (!core_->admit || parser_->is_done())
    return true;
  phase_ = phase::handling; // the check's answer may come at once
  keep_alive_ = false;      // so it says Connection: close (on_body sets it from the request)
  bool in = false;
  try {
    in = core_->admit(request_, std::make_shared<reply>(weak_from_this(), requests_));
  } catch (const std::exception&) {
    send(500, {}, "internal error");
  }
  if (in) {
    phase_ = phase::reading;
    return true;
  }
  linger_for_ = core_->opts.body_timeout;
  return false;
}

// Piece by piece, each piece held as it arrives (the string's size: Beast reserves a
// Content-Length up front, but the pages of a reserve are not touched until bytes come). With
// the parser's eager mode off, as async_read_header leaves it, a step parses at most one
// chunk, so a chunked body is checked at least once a chunk. A small body usually came with
// its headers: one step.
void server_session::read_body() {
  if (parser_->is_done()) // no body, or all of it came with the headers
    return on_body({});
  bhttp::async_read_some(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, std::size_t) { self->on_body_piece(ec); });
}

void server_session::on_body_piece(error_code ec) {
  if (ec || phase_ == phase::closed)
    return on_body(ec);
  if (!hold(parser_->get().body().size())) {
    read_by_ = lazy_timer::never;
    return refuse_busy();
  }
  read_body();
}

bool server_session::hold(std::size_t bytes) {
  if (bytes <= held_)
    return true;
  if (!core_->bodies.take(bytes - held_, core_->opts.max_bodies_bytes))
    return false;
  held_ = bytes;
  return true;
}

// Once a response starts the handler has used the body (the gateway's router lets go of
// the conversation when the answer starts to stream), or the connection is gone.
void server_session::let_go() {
  core_->bodies.give_back(held_);
  held_ = 0;
}

void server_session::refuse_busy() {
  auto bound = core_->opts.max_bodies_bytes;
  auto amount = bound % (std::size_t{1} << 20) == 0 ? std::to_string(bound >> 20) + " MiB"
                                                    : std::to_string(bound) + " bytes";
  respond_error(503, "the gateway holds request bodies of " + amount
                         + " at once, its bound; try again shortly");
}

void server_session::on_body(error_code ec) {
  read_by_ = lazy_timer::never;
  if (phase_ == phase::closed)
    return;
  if (ec == bhttp::error::body_limit)
    return respond_error(413, "the request body is larger than "
                                  + std::to_string(core_->opts.max_body_bytes) + " bytes");
  if (ec == boost::beast::http::error::buffer_overflow)
    return respond_error(400, "a chunk header or the trailers of the request body are longer "
                              "than "
                                  + std::to_string(buffer_.max_size()) + " bytes");
  if (ec)
    return close();
  auto msg = parser_->release();
  parser_.reset();
  // A large request (a coding agent's whole conversation) grew the buffer; the connection
  // may now be held for minutes by its streamed answer, so it keeps only what it needs.
  if (buffer_.capacity() > 16384)
    buffer_.shrink_to_fit();
  keep_alive_ = msg.keep_alive();
  auto in = std::move(request_);
  in.body = std::move(msg.body());
  phase_ = phase::handling;
  replied_ = ended_ = false;
  on_close_ = nullptr;
  auto r = std::make_shared<reply>(weak_from_this(), requests_);
  try {
    core_->handler(std::move(in), std::move(r));
  } catch (const std::exception&) {
    send(500, {}, "internal error");
  }
  // After the hand-off: the watch's first read (usually an EAGAIN) is not on the request's clock.
  watch();
}

// Reads while the handler works, so a client that hangs up is noticed (its
// request is then cancelled) and bytes of a next request are kept.
void server_session::watch() {
  if (watching_ || phase_ == phase::closed)
    return;
  // A client that sent a head's worth ahead of its answer is not waiting for it: with no read
  // left to notice its hang-up, the request would run on for nobody. It is cut off instead.
  if (buffer_.size() >= core_->opts.max_header_bytes)
    return fail();
  watching_ = true;
  // A hang-up reads 0 bytes and a next request's bytes are kept whatever the size: a small
  // read keeps the buffer of a connection held open by a long answer small.
  stream_.async_read_some(
      buffer_.prepare(512),
      [self = shared_from_this()](error_code ec, std::size_t n) { self->on_watch(ec, n); });
}

void server_session::on_watch(error_code ec, std::size_t n) {
  watching_ = false;
  if (phase_ == phase::closed)
    return;
  if (phase_ == phase::idle && ec == net::error::operation_aborted)
    return read_header(); // cancelled on purpose: the next request starts
  if (ec)
    return fail();
  buffer_.commit(n);
  if (phase_ == phase::idle)
    return read_header();
  watch();
}

void server_session::response_done() {
  on_close_ = nullptr;
  if (!keep_alive_)
    return linger();
  phase_ = phase::idle;
  if (watching_) {
    error_code ignored;
    stream_.socket().cancel(ignored); // on_watch starts the next request
    return;
  }
  read_header();
}

// Closing with unread request bytes makes the kernel reset the connection,
// which can destroy the response before the client reads it (a 413 sent
// without reading the body): say we are done, then read and drop what the
// client still sends, for a bounded time and amount, before closing.
void server_session::linger() {
  if (watching_) {
    // The watch's buffer may take a last piece; then on_watch ends it (phase idle is
    // not set, so it closes via fail() without a callback: on_close_ is cleared).
    error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    stream_.socket().cancel(ignored);
    return close();
  }
  error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  lingered_ = 0;
  arm(read_by_, linger_for_);
  drain();
}

// Reads into the buffer's free space without committing it: the bytes are dropped, and no
// connection keeps a buffer of its own for the rare linger.
void server_session::drain() {
  buffer_.clear();
  stream_.async_read_some(
      buffer_.prepare(1024), [self = shared_from_this()](error_code ec, std::size_t n) {
        self->lingered_ += n;
        if (ec || self->lingered_ > linger_bytes || self->phase_ == phase::closed)
          return self->close();
        self->drain();
      });
}

void server_session::fail() {
  if (phase_ == phase::closed)
    return;
  auto callback = std::move(on_close_);
  on_close_ = nullptr;
  close();
  if (callback)
    callback();
}

void server_session::close() {
  // Closed under a response that did not end (the server stops): its handler is told, as for
  // a client that left, so the work behind it stops too.
  std::function<void()> callback;
  if (phase_ != phase::closed && !ended_)
    callback = std::exchange(on_close_, nullptr);
  phase_ = phase::closed;
  error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  read_by_ = write_by_ = lazy_timer::never;
  timer_.cancel(); // its wait holds the session
  out_.clear();
  let_go();
  if (callback)
    callback();
}

void server_session::wind_down() {
  if (phase_ == phase::reading || phase_ == phase::idle)
    return close();
  keep_alive_ = false; // response_done() closes
}

} // namespace et::http::detail
