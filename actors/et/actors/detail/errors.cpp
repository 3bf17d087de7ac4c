#include "et/actors/detail/errors.hpp"

#include "caf/message.hpp"
#include "caf/sec.hpp"
#include "et/actors/detail/error_cause.hpp"

namespace et::actors {

namespace {

// What a failure says of where it got to: bit 0 unsent, bit 1 billed.
uint8_t flags_of(const failure& f) {
  return static_cast<uint8_t>((f.unsent ? 1 : 0) | (f.billed ? 2 : 0));
}

} // namespace

caf::error to_caf(const failure& f) {
  // Context: message, retry delay in ms, HTTP status, flags. Plain types only, so the
  // error serializes across nodes without any registration.
  return caf::error{static_cast<uint8_t>(f.code), error_category,
                    caf::make_message(f.message, static_cast<int64_t>(f.retry_after.count()),
                                      static_cast<int32_t>(f.http_status), flags_of(f))};
}

caf::error to_caf(const failure& f, const error_cause& cause) {
  // Two more plain values after the usual four: readers that expect four take those.
  return caf::error{static_cast<uint8_t>(f.code), error_category,
                    caf::make_message(f.message, static_cast<int64_t>(f.retry_after.count()),
                                      static_cast<int32_t>(f.http_status), flags_of(f),
                                      static_cast<uint8_t>(cause.code),
                                      static_cast<int32_t>(cause.http_status))};
}

std::optional<error_cause> cause_of(const caf::error& e) {
  if (e.category() != error_category)
    return std::nullopt;
  const auto& ctx = e.context();
  if (!ctx.match_elements<std::string, int64_t, int32_t, uint8_t, uint8_t, int32_t>())
    return std::nullopt;
  auto code = ctx.get_as<uint8_t>(4);
  if (!errc_from_string(to_string(static_cast<errc>(code))))
    return std::nullopt; // not a code this build knows
  return error_cause{static_cast<errc>(code), ctx.get_as<int32_t>(5)};
}

namespace {

// The message, retry delay, status and flags of an "et" error's context (4 values, or 6 with
// a cause).
void read_context(const caf::message& ctx, failure& f) {
  if (ctx.match_elements<std::string, int64_t, int32_t, uint8_t>()
      || ctx.match_elements<std::string, int64_t, int32_t, uint8_t, uint8_t, int32_t>()) {
    f.message = ctx.get_as<std::string>(0);
    f.retry_after = std::chrono::milliseconds{ctx.get_as<int64_t>(1)};
    f.http_status = ctx.get_as<int32_t>(2);
    auto flags = ctx.get_as<uint8_t>(3);
    f.unsent = (flags & 1) != 0;
    f.billed = (flags & 2) != 0;
  }
}

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
    read_context(e.context(), f);
    return f;
  }
  if (e.category() == caf::atom("system"))
    return from_sec(static_cast<caf::sec>(e.code()), caf::to_string(e));
  if (e.category() == caf::atom("exit"))
    return make_failure(errc::provider_down, caf::to_string(e));
  return make_failure(errc::invalid_input, caf::to_string(e));
}

std::string render_error(uint8_t code, caf::atom_value, const caf::message& context) {
  failure f;
  f.code = static_cast<errc>(code);
  read_context(context, f);
  return to_string(f);
}

} // namespace et::actors

namespace et {

caf::error make_error(errc code) {
  return actors::to_caf(make_failure(code, {}));
}

} // namespace et
