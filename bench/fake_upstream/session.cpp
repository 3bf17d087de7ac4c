// GCC 12 reports -Wnull-dereference false positives inside Asio's strand and
// scheduler code once it is inlined into this file; elsewhere the warning stays on.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "session.hpp"

#include "encoding.hpp"
#include "report.hpp"
#include "thinking.hpp"

#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>

namespace et::fake::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::ip::tcp;

namespace {

// Prompts of context-overflow tests can be large; real APIs accept megabytes.
constexpr uint64_t body_limit = 64ULL * 1024 * 1024;

int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string response_id(protocol p, uint64_t n) {
  switch (p) {
    case protocol::openai:
      return "chatcmpl-fake" + std::to_string(n);
    case protocol::anthropic:
      return "msg_fake" + std::to_string(n);
    case protocol::ollama:
    case protocol::gemini:
      break;
  }
  return "fake" + std::to_string(n);
}

std::chrono::microseconds pace_of(const reply_settings& s, int64_t tokens) {
  if (s.tokens_per_second <= 0)
    return std::chrono::microseconds{0};
  return std::chrono::microseconds{
      static_cast<int64_t>(1e6 * static_cast<double>(tokens) / s.tokens_per_second)};
}

} // namespace

session::session(tcp::socket socket, server_state& state)
    : socket_(std::move(socket)), state_(state), timer_(socket_.get_executor()) {}

void session::run() {
  error_code ignored;
  socket_.set_option(tcp::no_delay{true}, ignored); // events must leave at once
  do_read();
}

void session::do_read() {
  parser_.emplace();
  parser_->body_limit(body_limit);
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](error_code ec, size_t n) { self->on_read(ec, n); });
}

void session::on_read(error_code ec, size_t) {
  if (ec)
    return close(false);
  handle_request();
}

void session::handle_request() {
  const auto& req = parser_->get();
  keep_alive_ = req.keep_alive();
  reply_ = with_overrides(state_.opts.reply, req.base());
  extra_headers_.clear();
  bill_.reset();
  auto r =
      route_request(req.method_string(), req.target(), req.find("anthropic-version") != req.end());
  state_.count.by_endpoint[static_cast<size_t>(r.where)].fetch_add(1, std::memory_order_relaxed);
  if (r.where == endpoint::fake_release) {
    auto released = state_.holds.release_all();
    return send(200, "application/json", R"({"released":)" + std::to_string(released) + "}",
                duration{0});
  }
  if (r.where == endpoint::fake_report)
    return send(200, "application/json", report_json(state_, r.with_texts), duration{0});
  if (r.where == endpoint::unknown) {
    std::string body = R"({"error":{"message":"fake upstream: no route for )"
                       + std::string{req.method_string()} + " " + std::string{req.target()}
                       + R"(","type":"invalid_request_error","code":"not_found"}})";
    return send(404, "application/json", std::move(body), duration{0});
  }
  fault_request fr;
  if (auto it = req.find("x-fake-fault"); it != req.end())
    fr.explicit_fault = fault_from_string(it->value());
  if (auto it = req.find("x-fake-fail-first"); it != req.end())
    fr.fail_first = std::atoll(std::string{it->value()}.c_str());
  if (auto it = req.find("x-fake-key"); it != req.end())
    fr.key = std::string{it->value()};
  if (is_chat(r.where))
    return answer_chat(r, std::move(fr)); // keyed by the model unless x-fake-key says
  if (is_embed(r.where))
    return answer_embed(r, std::move(fr)); // the same
  if (is_count(r.where))
    return answer_count(r, std::move(fr)); // the same
  if (fr.key.empty())
    fr.key = std::string{to_string(r.where)};
  answer_listing(r, pick(fr));
}

fault session::pick(const fault_request& fr) {
  auto f = state_.faults.pick(fr);
  if (f != fault::none)
    state_.count.by_fault[static_cast<size_t>(f)].fetch_add(1, std::memory_order_relaxed);
  return f;
}

void session::answer_chat(const route& r, fault_request fr) {
  auto in = parse_chat(r, parser_->get().body());
  if (!in)
    return send(
        400, "application/json",
        R"({"error":{"message":"fake upstream: the body is not a JSON object","type":"invalid_request_error"}})",
        duration{0});
  if (!in->refusal.empty()) // Anthropic's thinking rules, as the API words its refusals
    return send(400, "application/json", anthropic_refusal_body(in->refusal), duration{0});
  if (fr.key.empty())
    fr.key = in->model;
  auto f = pick(fr);
  auto n = state_.next_id.fetch_add(1, std::memory_order_relaxed);
  if (f != fault::none && f != fault::cut && f != fault::malformed && f != fault::stream_error)
    return answer_fault(r.proto, f, in->model, in->prompt_tokens);
  const auto& enc = encoder_for(r.proto);
  auto plan = make_plan(*in, reply_, response_id(r.proto, n), unix_now());
  if (f == fault::none)
    bill_ = pending_bill{in->model, plan.text, plan.prompt_tokens, plan.completion_tokens};
  if (!in->stream || (r.where == endpoint::gemini_stream && !r.sse)) {
    if (f == fault::stream_error)
      return answer_fault(r.proto, fault::server_error, in->model, in->prompt_tokens);
    auto delay = reply_.latency + pace_of(reply_, plan.completion_tokens);
    std::string body;
    if (in->stream) { // Gemini's JSON-array stream, sent whole
      prepare_stream(enc, plan, fault::none, duration{0});
      std::vector<std::string> parts;
      for (auto& e : events_)
        parts.push_back(std::move(e.bytes));
      body = sse_to_array(parts);
    } else {
      body = f == fault::malformed ? enc.malformed_body(plan) : enc.body(plan);
    }
    if (f == fault::cut)
      return send_cut("application/json", body);
    return send(200, "application/json", std::move(body), delay);
  }
  prepare_stream(enc, plan, f, pace_of(reply_, 1));
  head_ = {};
  head_.result(http::status::ok);
  head_.version(11);
  head_.set(http::field::content_type, enc.stream_content_type());
  head_.set(http::field::cache_control, "no-cache");
  head_.keep_alive(keep_alive_);
  head_.chunked(true);
  do_delay(reply_.latency, &session::do_write_head);
}

void session::answer_listing(const route& r, fault f) {
  if (f == fault::stream_error)
    f = fault::server_error;
  if (f != fault::none && f != fault::cut && f != fault::malformed)
    return answer_fault(r.proto, f, "", 0);
  model_query q{&state_.opts.models, r.page_size, r.page_token};
  auto body = encoder_for(r.proto).models(q);
  if (f == fault::malformed)
    body.resize(body.size() / 2);
  if (f == fault::cut)
    return send_cut("application/json", body);
  send(200, "application/json", std::move(body), duration{0});
}

void session::answer_fault(protocol p, fault f, const std::string& model, int64_t prompt_tokens) {
  switch (f) {
    case fault::refuse:
      return close(false);
    case fault::reset:
      return close(true);
    case fault::hang:
      return do_hang();
    default:
      break;
  }
  auto n = state_.next_id.fetch_add(1, std::memory_order_relaxed);
  error_params e{model, prompt_tokens, reply_.retry_after_seconds, "req_fake" + std::to_string(n)};
  auto err = encoder_for(p).error(f, e);
  extra_headers_ = std::move(err.headers);
  send(err.status, err.content_type, std::move(err.body), duration{0});
}

void session::prepare_stream(const encoder& enc, const reply_plan& plan, fault f, duration pace) {
  events_.clear();
  next_event_ = 0;
  cut_stream_ = f == fault::cut;
  for (auto& e : enc.stream_head(plan))
    events_.push_back({std::move(e), duration{0}});
  // A held stream stops after its first content event (never a faulty one).
  hold_at_ = 0;
  if (reply_.hold_every > 0 && f == fault::none && !plan.chunks.empty()) {
    auto draw = state_.hold_draws.fetch_add(1, std::memory_order_relaxed) + 1;
    if (draw % static_cast<uint64_t>(reply_.hold_every) == 0)
      hold_at_ = events_.size() + 1;
  }
  bool faulty = f == fault::cut || f == fault::malformed || f == fault::stream_error;
  size_t limit = faulty ? static_cast<size_t>(reply_.cut_after) : plan.chunks.size();
  for (size_t i = 0; i < plan.chunks.size() && i < limit; ++i)
    events_.push_back(
        {enc.stream_delta(plan, i), i == 0 ? duration{0} : pace * plan.chunks[i].tokens});
  if (f == fault::malformed)
    events_.push_back({enc.malformed_event(plan), duration{0}});
  else if (f == fault::stream_error)
    events_.push_back({enc.stream_error(plan), duration{0}});
  else if (f == fault::none)
    for (auto& e : enc.stream_tail(plan))
      events_.push_back({std::move(e), duration{0}});
}

void session::send(unsigned status, std::string_view content_type, std::string body,
                   duration delay) {
  res_ = {};
  res_.result(status);
  res_.version(11);
  res_.set(http::field::content_type, content_type);
  for (const auto& [name, value] : extra_headers_)
    res_.set(name, value);
  res_.keep_alive(keep_alive_);
  res_.body() = std::move(body);
  res_.prepare_payload();
  do_delay(delay, &session::do_write_reply);
}

void session::send_cut(std::string_view content_type, const std::string& body) {
  // A complete header promising the whole body, then half of it and a close.
  raw_ = "HTTP/1.1 200 OK\r\nContent-Type: ";
  raw_.append(content_type).append("\r\nContent-Length: ").append(std::to_string(body.size()));
  raw_.append("\r\n\r\n").append(body.substr(0, body.size() / 2));
  do_delay(reply_.latency, &session::do_write_raw);
}

void session::do_delay(duration d, void (session::*next)()) {
  if (d.count() <= 0)
    return (this->*next)();
  after_delay_ = next;
  timer_.expires_after(d);
  timer_.async_wait([self = shared_from_this()](error_code ec) { self->on_delay(ec); });
}

void session::on_delay(error_code ec) {
  if (ec)
    return close(false);
  (this->*after_delay_)();
}

void session::do_write_reply() {
  http::async_write(socket_, res_, [self = shared_from_this()](error_code ec, size_t n) {
    self->on_write_reply(ec, n);
  });
}

void session::on_write_reply(error_code ec, size_t) {
  if (!ec)
    bill();
  if (ec || !keep_alive_)
    return close(false);
  do_read();
}

void session::do_write_raw() {
  net::async_write(
      socket_, net::buffer(raw_),
      [self = shared_from_this()](error_code ec, size_t n) { self->on_write_raw(ec, n); });
}

void session::on_write_raw(error_code, size_t) {
  close(false);
}

void session::do_write_head() {
  head_sr_.emplace(head_);
  http::async_write_header(
      socket_, *head_sr_,
      [self = shared_from_this()](error_code ec, size_t n) { self->on_write_head(ec, n); });
}

void session::on_write_head(error_code ec, size_t) {
  if (ec)
    return close(false);
  do_write_event();
}

void session::do_write_event() {
  if (next_event_ < events_.size() && events_[next_event_].wait.count() > 0
      && after_delay_ != &session::do_write_event)
    return do_delay(events_[next_event_].wait, &session::do_write_event);
  after_delay_ = nullptr;
  // Events due now leave in one write, each still in its own HTTP chunk:
  // the bytes are the same as one write per event, at a fraction of the syscalls.
  batch_.clear();
  while (next_event_ < events_.size()) {
    append_chunk(batch_, events_[next_event_++].bytes);
    if (next_event_ == hold_at_) {
      hold();
      break;
    }
    if (next_event_ < events_.size() && events_[next_event_].wait.count() > 0)
      break;
  }
  if (next_event_ == events_.size() && !cut_stream_)
    batch_ += "0\r\n\r\n"; // the last chunk
  if (batch_.empty())
    return close(false);
  writing_ = true;
  net::async_write(
      socket_, net::buffer(batch_),
      [self = shared_from_this()](error_code ec, size_t n) { self->on_write_event(ec, n); });
}

void session::on_write_event(error_code ec, size_t) {
  writing_ = false;
  if (ec)
    return close(false);
  if (next_event_ == events_.size() && !cut_stream_)
    bill();
  if (held_)
    return; // on_release goes on
  continue_stream();
}

void session::hold() {
  hold_at_ = 0;
  held_ = true;
  // Listed before the write that ends at the hold: a client that releases as
  // soon as it reads the first event cannot miss this stream.
  state_.holds.add([self = shared_from_this(), strand = socket_.get_executor()] {
    net::post(strand, [self] { self->on_release(); });
  });
}

void session::on_release() {
  held_ = false;
  if (writing_ || !socket_.is_open())
    return; // on_write_event goes on, or the stream already failed
  continue_stream();
}

void session::continue_stream() {
  if (next_event_ < events_.size())
    return do_write_event();
  if (cut_stream_ || !keep_alive_)
    return close(false);
  do_read();
}

void session::do_hang() {
  // Reading only notices the client giving up; nothing is ever answered.
  socket_.async_read_some(
      net::buffer(&hang_byte_, 1),
      [self = shared_from_this()](error_code ec, size_t n) { self->on_hang(ec, n); });
}

void session::on_hang(error_code ec, size_t) {
  if (ec)
    return close(false);
  do_hang();
}

void session::bill() {
  if (bill_)
    state_.served.add(bill_->model, bill_->text, bill_->prompt_tokens, bill_->completion_tokens);
  bill_.reset();
}

void session::close(bool reset) {
  error_code ignored;
  if (reset)
    socket_.set_option(net::socket_base::linger{true, 0}, ignored);
  else
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
}

} // namespace et::fake::detail
