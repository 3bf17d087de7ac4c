// GCC 12 reports -Wnull-dereference false positives inside Asio's strand and
// scheduler code once it is inlined into this file; elsewhere the warning stays on.
#pragma GCC diagnostic ignored "-Wnull-dereference"

// The body of an answer: the chunk Beast's parser writes into, sized for what a stream keeps
// while it waits and grown for what a burst or a large body brings.

#include <algorithm>
#include <cstring>

#include <boost/beast/http/read.hpp>

#include "et/http/detail/session.hpp"

namespace et::http::detail {

using boost::system::error_code;

// A first chunk fits a stream's event or a small answer; a body that fills it gets a twice
// larger one, up to 16 KiB, which is what a read of a large body brings at once.
constexpr std::size_t first_chunk = 1024;
constexpr std::size_t max_chunk = 16384;

// The read buffer a waiting exchange keeps. Small on plain connections, where a burst is
// taken from the socket at once (take_waiting); 4 KiB with TLS, whose decrypted bytes can only
// come through reads (and whose OpenSSL buffers are larger than this anyway).
std::size_t session::least_buffer() {
  return conn_->tls() ? 4096 : first_chunk;
}

// Doubles the chunk after a read that filled it; after a read of a few bytes (a stream that
// slowed down after a burst) goes back to the first size, and so does the read buffer.
void session::size_chunk(std::size_t last_read) {
  std::size_t want = first_chunk;
  if (chunk_ && last_read == chunk_size_)
    want = std::min(chunk_size_ * 2, max_chunk);
  else if (chunk_ && last_read >= first_chunk / 2)
    want = chunk_size_;
  if (chunk_ && want == chunk_size_)
    return;
  chunk_size_ = want;
  chunk_ = std::make_unique_for_overwrite<char[]>(chunk_size_);
  auto least = std::max(chunk_size_, least_buffer());
  if (buffer_.capacity() < least) {
    buffer_.reserve(least); // the reads grow with the chunk
  } else if (buffer_.capacity() > 2 * least && buffer_.size() < least) {
    buffer_.shrink_to_fit(); // keeps what is buffered
    buffer_.reserve(least);
  }
}

bool session::grow_chunk() {
  if (chunk_size_ >= max_chunk)
    return false;
  auto& body = parser_->get().body();
  auto filled = chunk_size_ - body.size;
  auto bigger = std::make_unique_for_overwrite<char[]>(chunk_size_ * 2);
  std::memcpy(bigger.get(), chunk_.get(), filled);
  chunk_ = std::move(bigger);
  chunk_size_ *= 2;
  body.data = chunk_.get() + filled;
  body.size = chunk_size_ - filled;
  return true;
}

void session::do_read_body(std::size_t last_read) {
  size_chunk(last_read);
  auto& body = parser_->get().body();
  body.data = chunk_.get();
  body.size = chunk_size_;
  arm(step::body);
  bhttp::async_read_some(*conn_, buffer_, *parser_, bind(&session::on_read_body));
}

void session::on_read_body(error_code ec, std::size_t) {
  if (done_)
    return;
  if (ec == bhttp::error::need_buffer)
    ec = {};
  if (!ec) {
    take_waiting();
    parse_buffered(ec);
  }
  auto got = chunk_size_ - parser_->get().body().size;
  if (got > 0) {
    body_bytes_ += got;
    if (handlers_.on_body)
      handlers_.on_body(std::string_view{chunk_.get(), got});
  }
  if (ec)
    return fail(io_failed(step::body, where_, ec, body_bytes_, owner_->options.max_body_bytes));
  if (parser_->is_done())
    return succeed();
  do_read_body(got);
}

// The buffer is small while a stream waits, so a burst (events that queued up while the
// consumer was busy) may be only partly read: what is already in the socket joins this
// piece. Plain connections only: a TLS record may be incomplete, and a read could wait.
void session::take_waiting() {
  if (conn_->tls() || parser_->is_done())
    return;
  // At most what this piece can still take, so the buffer stays near the chunk's bound.
  auto taken = chunk_size_ - parser_->get().body().size + buffer_.size();
  if (taken >= max_chunk)
    return;
  error_code ec;
  auto waiting = conn_->socket().available(ec);
  if (ec || waiting == 0)
    return;
  auto n = conn_->socket().read_some(buffer_.prepare(std::min(waiting, max_chunk - taken)), ec);
  if (!ec)
    buffer_.commit(n);
}

// A read stops at the end of an HTTP chunk; the chunks it brought after that are parsed into
// the same piece of body, so a stream's events that came at once reach on_body together (its
// consumer passes them on as one, not one message and one write per event). Beast's eager
// option would do the same, but its read then waits for more when the bytes end between a
// chunk and the next chunk's header: a stream that pauses there would stall.
void session::parse_buffered(error_code& ec) {
  while (buffer_.size() > 0 && !parser_->is_done()) {
    if (parser_->get().body().size == 0 && !grow_chunk())
      return;
    auto used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == bhttp::error::need_buffer) {
      ec = {}; // the chunk is full: the next turn grows it, up to its bound
      continue;
    }
    if (ec == bhttp::error::need_more) {
      ec = {};
      return;
    }
    if (ec || used == 0)
      return;
  }
}

} // namespace et::http::detail
