#pragma once
/// One connection of http::server: reads requests (bounded, timed), hands
/// each to the handler, writes the reply it gets later (whole or chunked), and
/// watches the socket meanwhile so a client that goes away is noticed. With
/// TLS it first reads the client's hello (a plain HTTP request gets a 400
/// instead) and shakes hands, within the handshake timeout. Every member runs
/// on the connection's strand. Included by server .cpp files only.

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "et/http/detail/body_budget.hpp"
#include "et/http/detail/lazy_timer.hpp"
#include "et/http/detail/server_stream.hpp"
#include "et/http/server.hpp"

namespace et::http::detail {

/// What sessions share with their server.
struct server_core {
  server_options opts;              ///< limits
  request_handler handler;          ///< answers requests
  head_check admit;                 ///< looks at heads first (may be empty)
  error_renderer errors;            ///< the server's own error bodies
  std::atomic<std::size_t> open{0}; ///< sessions alive
  body_budget bodies;               ///< request bodies held, against opts.max_bodies_bytes
  std::unique_ptr<boost::asio::ssl::context> tls; ///< set: every connection speaks TLS
  virtual ~server_core() = default;
};

/// One connection.
class server_session : public std::enable_shared_from_this<server_session> {
public:
  /// A session on `socket` (whose executor is a strand), counted in `core`;
  /// TLS when core->tls is set.
  server_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<server_core> core);
  ~server_session();

  /// The strand every member must run on.
  boost::asio::ip::tcp::socket::executor_type executor() { return stream_.get_executor(); }

  /// Shakes hands (TLS), then reads requests; or, when `over_limit`, answers
  /// the first request with 503 and closes (too many connections).
  void run(bool over_limit);
  /// Closes at once (server stop).
  void close();
  /// Closes when no request is under way, else once its response is written.
  void wind_down();

  /// reply::send.
  void send(int status, header_list headers, std::string body);
  /// reply::start.
  void start(int status, header_list headers);
  /// reply::write.
  void write(std::string piece);
  /// reply::end.
  void end();
  /// reply::on_close.
  void on_close(std::function<void()> f);
  /// Which of the connection's requests is under way (a reply of an earlier one is stale).
  uint64_t request_number() const { return requests_; }

private:
  enum class phase { reading, handling, streaming, idle, closed };

  void on_hello(boost::system::error_code ec, std::size_t n);
  void on_handshake(boost::system::error_code ec, std::size_t used);
  void begin();
  void read_header();
  void on_header(boost::system::error_code ec);
  bool admitted();
  void read_body();
  void on_body_piece(boost::system::error_code ec);
  void on_body(boost::system::error_code ec);
  bool hold(std::size_t bytes);
  void let_go();
  void refuse_busy();
  void watch();
  void on_watch(boost::system::error_code ec, std::size_t n);
  void arm(lazy_timer::clock::time_point& deadline, std::chrono::milliseconds limit);
  void wake_by(lazy_timer::clock::time_point t);
  void on_deadline();
  void enqueue(std::string bytes);
  void do_write();
  void on_write(boost::system::error_code ec);
  void response_done();
  void fail();
  void linger();
  void drain();
  void respond_error(int status, const std::string& message);
  std::string head(int status, const header_list& headers, const std::string& framing) const;

  server_stream stream_;
  std::shared_ptr<server_core> core_;
  lazy_timer timer_; ///< closes the socket when a deadline passes
  lazy_timer::clock::time_point read_by_ = lazy_timer::never;  ///< of the read under way
  lazy_timer::clock::time_point write_by_ = lazy_timer::never; ///< of the write under way
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::deque<std::string> out_;   ///< queued pieces, the ones in writing first
  std::size_t out_bytes_ = 0;     ///< bytes in out_
  std::size_t writing_bytes_ = 0; ///< of those, the bytes of the write under way
  std::vector<boost::asio::const_buffer> writing_pieces_; ///< out_'s first ones, in one write
  std::string target_;
  incoming request_; ///< the request being read: its head, then its body
  std::function<void()> on_close_;
  phase phase_ = phase::reading;
  bool writing_ = false;
  bool watching_ = false;
  bool replied_ = false; ///< send() or start() came for the current request
  bool ended_ = false;   ///< its last byte is queued
  bool keep_alive_ = true;
  bool over_limit_ = false;  ///< refuse the first request (503)
  std::size_t lingered_ = 0; ///< bytes dropped so far
  /// How long linger() drops what the client sends: 2 s after a refusal of the body itself
  /// (413, 503), the body timeout after a refusal of the head (the body is then normal).
  std::chrono::milliseconds linger_for_{2000};
  std::size_t held_ = 0;  ///< taken from core_->bodies for the current request's body
  uint64_t requests_ = 0; ///< requests begun on this connection
};

} // namespace et::http::detail
