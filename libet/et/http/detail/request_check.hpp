#pragma once
/// Validating a request and turning it into a Beast message (implementation header).

#include <optional>
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "et/http/client.hpp"

namespace et::http::detail {

/// invalid_input when `req` cannot be sent as is: a scheme other than
/// http(s), a method that is not a token, a target that is not origin-form,
/// or a header that would split the message (CR, LF, NUL). Header values are
/// never quoted in the message.
std::optional<failure> check_request(const request& req, const std::string& where);

/// Fills `out` from a checked request: Host and User-Agent unless the caller
/// set them, Content-Length from the body. Moves the body out of `req`.
void build_message(request& req, const std::string& user_agent,
                   boost::beast::http::request<boost::beast::http::string_body>& out);

} // namespace et::http::detail
