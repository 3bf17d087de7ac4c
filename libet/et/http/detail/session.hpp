#pragma once
/// One HTTP exchange stepping through paired do_x / on_x methods, each step
/// under a timeout (implementation header: includes Asio and Beast).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "et/http/client.hpp"
#include "et/http/detail/client_state.hpp"
#include "et/http/detail/connection.hpp"
#include "et/http/detail/errors.hpp"
#include "et/http/detail/lazy_timer.hpp"

namespace et::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

/// A request from start to on_done. Every handler runs on the session's
/// strand, so the state below needs no lock; pending operations hold a
/// shared_ptr, which keeps the session (and its connection) alive.
class session : public std::enable_shared_from_this<session> {
public:
  /// A session of `owner` for `req`; nothing happens until start().
  session(std::shared_ptr<client_state> owner, request req, handlers h);

  /// Queues the first step on the strand.
  void start();
  /// Thread-safe: queues a cancellation on the strand.
  void cancel();

private:
  void run();
  void open_connection();
  void do_resolve();
  void on_resolve(const boost::system::error_code& ec, tcp::resolver::results_type results);
  void do_connect(const std::vector<tcp::endpoint>& endpoints);
  void on_connect(const boost::system::error_code& ec, const tcp::endpoint& peer);
  void do_handshake();
  void on_handshake(const boost::system::error_code& ec);
  void do_write();
  void on_write(const boost::system::error_code& ec, std::size_t written);
  void do_read_first();
  void on_read_first(const boost::system::error_code& ec, std::size_t n);
  void do_read_head();
  void on_read_head(const boost::system::error_code& ec, std::size_t n);
  void deliver_head();
  void do_read_body(std::size_t last_read = 0);
  void on_read_body(boost::system::error_code ec, std::size_t n);
  /// Makes chunk_ ready for the next body read: allocated on first use, doubled when full,
  /// back to its first size after a read of a few bytes.
  void size_chunk(std::size_t last_read);
  /// The smallest read buffer an exchange keeps (more with TLS).
  std::size_t least_buffer();
  /// Adds to the buffer what already waits in the socket (plain connections), without waiting.
  void take_waiting();
  /// Doubles a full chunk_ (up to its bound), keeping what the parser wrote; false at the bound.
  bool grow_chunk();
  /// Parses what the last read brought past its first HTTP chunk into the same piece.
  void parse_buffered(boost::system::error_code& ec);

  std::chrono::milliseconds limit_of(step s) const;
  void arm(step s);
  void wake_by_deadline();
  void on_deadline();
  bool may_retry() const;
  void retry();
  void fail(failure f);
  void succeed();
  void finish(result<void> outcome);

  template <class Method>
  auto bind(Method m);

  std::shared_ptr<client_state> owner_;
  request req_;
  handlers handlers_;
  std::string origin_;
  std::string where_;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  lazy_timer timer_; ///< fails the exchange when a deadline passes
  lazy_timer::clock::time_point step_by_ = lazy_timer::never;  ///< of the step under way
  lazy_timer::clock::time_point total_by_ = lazy_timer::never; ///< of the whole exchange
  std::unique_ptr<connection> conn_;
  bhttp::request<bhttp::string_body> message_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser_;
  // Where the parser puts body bytes. It starts small and doubles each time a read fills it,
  // up to max_chunk: a held stream keeps a few hundred bytes, a large body still comes in big
  // pieces. Not zeroed: only bytes the parser wrote are read (bench/scale, et-bench-gateway
  // --hold measure what each stream in flight keeps).
  std::unique_ptr<char[]> chunk_;
  std::size_t chunk_size_ = 0;
  step step_ = step::connect;
  uint64_t body_bytes_ = 0;
  std::size_t written_ = 0;
  bool wrote_ = false; ///< some of the request went out, on this or an earlier connection
  int interim_ = 0;    ///< 1xx responses skipped so far
  bool reused_ = false;
  bool retried_ = false;
  bool answered_ = false; ///< a response byte arrived on this connection
  bool done_ = false;
};

template <class Method>
auto session::bind(Method m) {
  return asio::bind_executor(strand_, beast::bind_front_handler(m, shared_from_this()));
}

} // namespace et::http::detail
