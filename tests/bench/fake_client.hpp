#pragma once
/// A minimal blocking HTTP/1.1 client for the fake upstream's tests, plus
/// helpers that split SSE and NDJSON bodies. Loopback only.

// GCC 12 reports -Wnull-dereference false positives inside Asio's scheduler
// once it is inlined into a test; the including test files hold no other Asio.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace et::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

/// What came back: status, lower-cased headers, the (dechunked) body so far
/// and the read error, if the exchange did not finish.
struct fake_reply {
  unsigned status = 0;                        ///< 0 when no status line arrived
  std::map<std::string, std::string> headers; ///< names lower-cased
  std::string body;                           ///< body bytes received
  boost::system::error_code ec;               ///< read error, if any
  /// A header's value or "".
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

/// One connection to 127.0.0.1:port; requests on it reuse the connection.
class fake_client {
public:
  /// Connects; the stream's timeout only guards against a hung test.
  explicit fake_client(uint16_t port) : stream_(ioc_) {
    stream_.expires_after(std::chrono::seconds(30));
    stream_.connect(net::ip::tcp::endpoint{net::ip::make_address("127.0.0.1"), port});
  }

  /// Sends a request and reads the answer (as far as it goes).
  fake_reply send(http::verb method, const std::string& target, const std::string& body = "",
                  const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    write(method, target, body, headers);
    return read();
  }

  /// Only sends a request.
  void write(http::verb method, const std::string& target, const std::string& body = "",
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty())
      req.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : headers)
      req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    stream_.expires_after(std::chrono::seconds(30));
    http::write(stream_, req);
  }

  /// Reads one answer.
  fake_reply read() {
    fake_reply out;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    stream_.expires_after(std::chrono::seconds(30));
    http::read(stream_, buffer_, parser, out.ec);
    if (parser.is_header_done()) {
      out.status = parser.get().result_int();
      for (const auto& f : parser.get()) {
        std::string name{f.name_string()};
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string{f.value()};
      }
    }
    out.body = parser.get().body();
    return out;
  }

  /// Reads raw bytes until the peer closes; the error that ended the read.
  boost::system::error_code drain(std::string& bytes) {
    boost::system::error_code ec;
    char buf[4096];
    for (;;) {
      auto n = stream_.socket().read_some(net::buffer(buf), ec);
      bytes.append(buf, n);
      if (ec)
        return ec;
    }
  }

  /// Bytes ready to read without blocking.
  size_t available() { return stream_.socket().available(); }

  /// The bytes ready to read, left in the socket for a later read().
  std::string peek() {
    std::string bytes(available(), '\0');
    auto n = stream_.socket().receive(net::buffer(bytes), net::socket_base::message_peek);
    bytes.resize(n);
    return bytes;
  }

private:
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

/// One SSE event: its `event:` name ("" when absent) and its data.
struct sse_event {
  std::string name; ///< event line
  std::string data; ///< data lines joined
};

/// Splits an SSE body (LF or CRLF framed) into events.
inline std::vector<sse_event> split_sse(std::string body) {
  std::string lf;
  for (size_t i = 0; i < body.size(); ++i)
    if (!(body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n'))
      lf.push_back(body[i]);
  std::vector<sse_event> out;
  size_t pos = 0;
  while (pos < lf.size()) {
    auto end = lf.find("\n\n", pos);
    auto block = lf.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? lf.size() : end + 2;
    sse_event e;
    size_t line_start = 0;
    while (line_start < block.size()) {
      auto nl = block.find('\n', line_start);
      auto line =
          block.substr(line_start, nl == std::string::npos ? std::string::npos : nl - line_start);
      line_start = nl == std::string::npos ? block.size() : nl + 1;
      if (line.rfind("event: ", 0) == 0)
        e.name = line.substr(7);
      else if (line.rfind("data: ", 0) == 0)
        e.data += line.substr(6);
    }
    if (!e.name.empty() || !e.data.empty())
      out.push_back(std::move(e));
  }
  return out;
}

/// Splits an NDJSON body into its lines (without the newlines).
inline std::vector<std::string> split_lines(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < body.size()) {
    auto nl = body.find('\n', pos);
    out.push_back(body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    pos = nl == std::string::npos ? body.size() : nl + 1;
  }
  return out;
}

/// Parses JSON text into an object; an empty object when it is not one.
inline json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return !ec && v.is_object() ? v.get_object() : json::object{};
}

/// Whether text parses as JSON at all.
inline bool is_json(const std::string& text) {
  boost::system::error_code ec;
  json::parse(text, ec);
  return !ec;
}

} // namespace et::test
