#include "et/actors/errors.hpp"

#include "caf/message.hpp"
#include "caf/sec.hpp"

namespace et::actors {

caf::error to_caf(const failure& f) {
  // Context: message, retry delay in ms, HTTP status. Plain types only, so the
  // error serializes across nodes without any registration.
  return caf::error{static_cast<uint8_t>(f.code), error_category,
                    caf::make_message(f.message, static_cast<int64_t>(f.retry_after.count()),
                                      static_cast<int32_t>(f.http_status))};
}

namespace {

failure from_sec(caf::sec code, std::string text) {
  switch (code) {
    case caf::sec::request_timeout:
      return make_failure(errc::timeout, std::move(text));
    case caf::sec::request_receiver_down:
    case caf::sec::runtime_error: // the receiver threw while handling the request and died
      return make_failure(errc::provider_down, std::move(text));
    case caf::sec::cannot_connect_to_node:
    case caf::sec::remote_linking_failed:
    case caf::sec::no_route_to_receiving_node:
      return make_failure(errc::node_down, std::move(text));
    default:
      return make_failure(errc::invalid_input, std::move(text));
  }
}

} // namespace

failure from_caf(const caf::error& e) {
  if (e.category() == error_category) {
    failure f;
    f.code = static_cast<errc>(e.code());
    const auto& ctx = e.context();
    if (ctx.match_elements<std::string, int64_t, int32_t>()) {
      f.message = ctx.get_as<std::string>(0);
      f.retry_after = std::chrono::milliseconds{ctx.get_as<int64_t>(1)};
      f.http_status = ctx.get_as<int32_t>(2);
    }
    return f;
  }
  if (e.category() == caf::atom("system"))
    return from_sec(static_cast<caf::sec>(e.code()), caf::to_string(e));
  if (e.category() == caf::atom("exit"))
    return make_failure(errc::provider_down, caf::to_string(e));
  return make_failure(errc::invalid_input, caf::to_string(e));
}

std::string render_error(uint8_t code, caf::atom_value, const caf::message& context) {
  failure f{static_cast<errc>(code), {}, std::chrono::milliseconds{0}, 0};
  if (context.match_elements<std::string, int64_t, int32_t>()) {
    f.message = context.get_as<std::string>(0);
    f.retry_after = std::chrono::milliseconds{context.get_as<int64_t>(1)};
    f.http_status = context.get_as<int32_t>(2);
  }
  return to_string(f);
}

} // namespace et::actors

namespace et {

caf::error make_error(errc code) {
  return actors::to_caf(make_failure(code, {}));
}

} // namespace et
