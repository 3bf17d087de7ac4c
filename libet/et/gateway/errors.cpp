#include "et/gateway/errors.hpp"

#include <boost/json.hpp>

#include "et/util/json_text.hpp"
#include "et/util/text.hpp"

namespace et::gateway {

namespace json = boost::json;

namespace {

int upstream_status(protocol p, errc code) {
  switch (code) {
    case errc::invalid_input:
    case errc::unsupported:
    case errc::bad_request:
    case errc::context_overflow:
      return 400;
    case errc::not_found:
      return 404;
    case errc::rate_limited:
    case errc::budget_exceeded:
      return 429;
    case errc::overloaded:
      return p == protocol::anthropic ? 529 : 503;
    case errc::timeout:
      return 504;
    case errc::invalid_config:
      return 500;
    case errc::cancelled:
    case errc::node_down:
      return 503;
    default:
      return 502; // auth (et's upstream key), network, 5xx, provider down, cut streams
  }
}

int64_t seconds_up(std::chrono::milliseconds ms) {
  return ms.count() <= 0 ? 0 : (ms.count() + 999) / 1000;
}

} // namespace

client_error error_for(protocol p, const failure& f, std::optional<errc> cause) {
  client_error e;
  e.message = f.message;
  e.code = std::string{to_string(f.code)};
  if (f.code == errc::invalid_input || f.code == errc::unsupported)
    e.param = failed_field(f);
  if (f.code == errc::all_failed) {
    if (f.retry_after.count() > 0) {
      // Every candidate left was cooling down: the client may wait and retry.
      e.status = 429;
      e.retry_after_s = seconds_up(f.retry_after);
      e.message += "; the first candidate recovers in " + std::to_string(e.retry_after_s) + "s";
    } else {
      e.status = cause ? upstream_status(p, *cause) : 502;
      if (e.status == 404 || e.status == 500)
        e.status = 502; // a model the upstream lacks is a configuration problem, not the client's
      if (cause == errc::rate_limited)
        e.retry_after_s = 1; // no upstream named a time (the router keeps one that did)
    }
    return e;
  }
  e.status = upstream_status(p, f.code);
  if (e.status == 429)
    e.retry_after_s = seconds_up(f.retry_after);
  if (f.code == errc::rate_limited && e.retry_after_s == 0)
    e.retry_after_s = 1;
  return e;
}

std::string error_type(protocol p, const client_error& e) {
  if (p == protocol::openai) {
    switch (e.status) {
      case 400:
      case 404:
      case 413:
        return "invalid_request_error";
      case 401:
        return "authentication_error";
      case 403:
        return "permission_error";
      case 429:
        return e.code == "budget_exceeded" ? "insufficient_quota" : "rate_limit_error";
      default: // a 405 or a 431 is the client's doing too
        return e.status < 500 ? "invalid_request_error" : "server_error";
    }
  }
  switch (e.status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
    case 503:
      return "overloaded_error";
    default:
      return e.status < 500 ? "invalid_request_error" : "api_error";
  }
}

std::string error_body(protocol p, const client_error& e) {
  json::object inner;
  if (p == protocol::openai) {
    inner["message"] = e.message;
    inner["type"] = error_type(p, e);
    inner["param"] = e.param.empty() ? json::value{} : json::value(e.param);
    inner["code"] = e.code.empty() ? json::value{} : json::value(e.code);
    return json_text(json::object{{"error", std::move(inner)}});
  }
  inner["type"] = error_type(p, e);
  inner["message"] = e.message;
  return json_text(json::object{{"type", "error"}, {"error", std::move(inner)}});
}

} // namespace et::gateway
