// GCC 12 reports -Wnull-dereference false positives inside Asio's strand and
// scheduler code once it is inlined into this file; elsewhere the warning stays on.
#pragma GCC diagnostic ignored "-Wnull-dereference"

// The writing half of a server connection: the replies a handler gives (whole, or a
// head and chunks), the server's own refusals, and the queue that sends them.

#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>

#include "et/http/detail/server_session.hpp"

namespace et::http::detail {

namespace net = boost::asio;
using error_code = boost::system::error_code;

namespace {

// Header text from a handler never splits the response.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '\r' && c != '\n')
      out += c;
  return out;
}

} // namespace

void server_session::enqueue(std::string bytes) {
  out_bytes_ += bytes.size();
  out_.push_back(std::move(bytes));
  if (!writing_)
    do_write();
}

// Everything queued leaves in one write: the pieces of a stream that came while the last
// write was out go together, one system call and one segment instead of one each.
void server_session::do_write() {
  writing_ = true;
  arm(write_by_, core_->opts.write_timeout);
  writing_pieces_.clear();
  writing_bytes_ = out_bytes_;
  for (const auto& piece : out_)
    writing_pieces_.push_back(net::buffer(piece));
  net::async_write(stream_, writing_pieces_,
                   [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
}

void server_session::on_write(error_code ec) {
  writing_ = false;
  write_by_ = lazy_timer::never;
  if (phase_ == phase::closed)
    return;
  if (ec)
    return fail();
  out_bytes_ -= writing_bytes_;
  writing_bytes_ = 0;
  out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(writing_pieces_.size()));
  if (!out_.empty())
    return do_write();
  if (ended_)
    response_done();
}

std::string server_session::head(int status, const header_list& headers,
                                 const std::string& framing) const {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  for (const auto& [k, v] : headers)
    out += one_line(k) + ": " + one_line(v) + "\r\n";
  if (!keep_alive_)
    out += "Connection: close\r\n";
  return out + framing + "\r\n";
}

void server_session::respond_error(int status, const std::string& message) {
  keep_alive_ = false;
  parser_.reset(); // a body refused halfway is not kept through the linger
  phase_ = phase::handling;
  replied_ = false;
  auto rendered = core_->errors ? core_->errors(target_, status, message)
                                : std::pair<std::string, std::string>{"text/plain", message};
  header_list headers{{"Content-Type", rendered.first}};
  if (status == 503) // too many connections or bodies: both pass soon
    headers.emplace_back("Retry-After", "1");
  send(status, std::move(headers), std::move(rendered.second));
}

void server_session::send(int status, header_list headers, std::string body) {
  if (phase_ != phase::handling || replied_)
    return;
  replied_ = ended_ = true;
  let_go();
  auto bytes = head(status, headers, "Content-Length: " + std::to_string(body.size()) + "\r\n");
  enqueue(std::move(bytes) + body);
}

void server_session::start(int status, header_list headers) {
  if (phase_ != phase::handling || replied_)
    return;
  replied_ = true;
  let_go();
  phase_ = phase::streaming;
  enqueue(head(status, headers, "Transfer-Encoding: chunked\r\n"));
}

void server_session::write(std::string piece) {
  if (phase_ != phase::streaming || ended_ || piece.empty())
    return;
  // A client that reads slower than the stream comes would make the queue hold the stream.
  // What waits behind the write under way is bounded; a piece with nothing ahead of it goes
  // whatever its size (one large answer is what the stream is).
  auto waiting = out_bytes_ - writing_bytes_;
  if (waiting > 0 && waiting + piece.size() > core_->opts.max_queued_bytes)
    return fail();
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
  enqueue(size + std::move(piece) + "\r\n");
}

void server_session::end() {
  if (phase_ != phase::streaming || ended_)
    return;
  ended_ = true;
  enqueue("0\r\n\r\n");
}

void server_session::on_close(std::function<void()> f) {
  if (phase_ == phase::closed) {
    if (f && !ended_)
      f();
    return;
  }
  if (!ended_)
    on_close_ = std::move(f);
}

} // namespace et::http::detail
