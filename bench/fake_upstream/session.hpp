#pragma once
/// One accepted connection: reads requests, decides the answer and writes it,
/// stepping through paired do_x / on_x handlers on the connection's strand.
/// Internal to the fake upstream.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "faults.hpp"
#include "protocols.hpp"
#include "request.hpp"
#include "state.hpp"

namespace et::fake::detail {

/// A connection's request/response loop; keeps itself alive through its
/// handlers, and through the server's hold list while x-fake-hold stops it
/// (a client that leaves meanwhile is only noticed after the release).
class session : public std::enable_shared_from_this<session> {
public:
  /// Takes over an accepted socket (whose executor is a strand).
  session(boost::asio::ip::tcp::socket socket, server_state& state);
  /// Starts reading the first request.
  void run();

private:
  using error_code = boost::system::error_code;
  /// Delays, fine enough for pacing at 20,000 tokens/s (50 us a token).
  using duration = std::chrono::microseconds;

  /// One stream event and the pause before it.
  struct event {
    std::string bytes; ///< framed event (SSE or NDJSON line)
    duration wait;     ///< pacing delay before it
  };

  void do_read();
  void on_read(error_code ec, size_t bytes);
  void handle_request();
  fault pick(const fault_request& fr);
  void answer_chat(const route& r, fault_request fr);
  void answer_listing(const route& r, fault f);
  void answer_embed(const route& r, fault_request fr);
  void answer_count(const route& r, fault_request fr);
  void answer_fault(protocol p, fault f, const std::string& model, int64_t prompt_tokens);
  void prepare_stream(const encoder& enc, const reply_plan& plan, fault f, duration pace);
  void send(unsigned status, std::string_view content_type, std::string body, duration delay);
  void send_cut(std::string_view content_type, const std::string& body);

  void do_delay(duration d, void (session::*next)());
  void on_delay(error_code ec);
  void do_write_reply();
  void on_write_reply(error_code ec, size_t bytes);
  void do_write_raw();
  void on_write_raw(error_code ec, size_t bytes);
  void do_write_head();
  void on_write_head(error_code ec, size_t bytes);
  void do_write_event();
  void on_write_event(error_code ec, size_t bytes);
  void hold();
  void on_release();
  void continue_stream();
  void do_hang();
  void on_hang(error_code ec, size_t bytes);
  void close(bool reset);
  void bill();

  /// An answer without a fault, billed once its last byte is written.
  struct pending_bill {
    std::string model;         ///< as requested
    std::string text;          ///< the whole answer
    int64_t prompt_tokens;     ///< its reported usage
    int64_t completion_tokens; ///< its reported usage
  };

  boost::asio::ip::tcp::socket socket_;
  server_state& state_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  reply_settings reply_;      ///< this request's settings
  bool keep_alive_ = true;    ///< the client wants the connection kept
  header_list extra_headers_; ///< sent with the next answer
  boost::beast::http::response<boost::beast::http::string_body> res_;
  boost::beast::http::response<boost::beast::http::empty_body> head_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>> head_sr_;
  std::vector<event> events_;                ///< the stream being written
  size_t next_event_ = 0;                    ///< next index into events_
  size_t hold_at_ = 0;                       ///< x-fake-hold stops before this event (0 = no)
  bool held_ = false;                        ///< on the hold list, not yet released
  bool writing_ = false;                     ///< a stream write is in flight
  bool cut_stream_ = false;                  ///< close instead of finishing the stream
  std::string batch_;                        ///< stream bytes of the current write
  std::string raw_;                          ///< bytes of a deliberately cut answer
  void (session::*after_delay_)() = nullptr; ///< the step a delay leads to
  char hang_byte_ = 0;                       ///< read target while hanging
  std::optional<pending_bill> bill_;         ///< the answer being written, if billable
};

} // namespace et::fake::detail
