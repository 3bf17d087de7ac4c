#include "et/http/detail/request_check.hpp"

#include <string_view>

#include <boost/beast/core/string.hpp>

#include "et/util/http_syntax.hpp"

namespace et::http::detail {

namespace bhttp = boost::beast::http;

namespace {

bool is_control(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

bool is_origin_form(std::string_view s) {
  if (s.empty() || s.front() != '/')
    return false;
  for (unsigned char c : s)
    if (is_control(c) || c == ' ')
      return false;
  return true;
}

} // namespace

std::optional<failure> check_request(const request& req, const std::string& where) {
  auto bad = [&](const std::string& why) {
    return make_failure(errc::invalid_input, "cannot send the request to " + where + ": " + why);
  };
  if (req.base.scheme != "http" && req.base.scheme != "https")
    return bad("the scheme must be http or https");
  if (req.base.host.empty() || req.base.port == 0)
    return bad("the host or port is missing");
  if (!is_http_token(req.method))
    return bad("the method is not an HTTP token");
  if (!is_origin_form(req.target))
    return bad("the target must start with '/' and contain no space or control character");
  for (const auto& [name, value] : req.headers) {
    if (!is_http_token(name))
      return bad("a header name is not an HTTP token");
    if (!is_http_field_value(value))
      return bad("the value of header " + name + " contains a control character");
  }
  return std::nullopt;
}

void build_message(request& req, const std::string& user_agent,
                   bhttp::request<bhttp::string_body>& out) {
  auto verb = bhttp::string_to_verb(req.method);
  if (verb == bhttp::verb::unknown)
    out.method_string(req.method);
  else
    out.method(verb);
  out.target(req.target);
  out.version(11);
  bool has_host = false;
  bool has_agent = false;
  for (const auto& [name, value] : req.headers) {
    has_host = has_host || boost::beast::iequals(name, "host");
    has_agent = has_agent || boost::beast::iequals(name, "user-agent");
    out.insert(name, value);
  }
  if (!has_host)
    out.set(bhttp::field::host, req.base.authority());
  if (!has_agent)
    out.set(bhttp::field::user_agent, user_agent);
  out.body() = std::move(req.body);
  out.prepare_payload();
}

} // namespace et::http::detail
