// The fake upstream's answers to embedding requests (see embed.hpp), with the same
// fault injection as chat answers.
// (-Wnull-dereference: Asio false positives, as in session.cpp.)
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <cstdlib>

#include "embed.hpp"
#include "session.hpp"

namespace et::fake::detail {

void session::answer_embed(const route& r, fault_request fr) {
  const auto& req = parser_->get();
  auto in = parse_embed(r.proto, r.model, req.body());
  if (!in)
    return send(
        400, "application/json",
        R"({"error":{"message":"fake upstream: the body has no embedding input","type":"invalid_request_error"}})",
        duration{0});
  if (fr.key.empty())
    fr.key = in->model;
  auto f = pick(fr);
  if (f == fault::stream_error)
    f = fault::server_error;
  if (f != fault::none && f != fault::cut && f != fault::malformed)
    return answer_fault(r.proto, f, in->model, in->prompt_tokens);
  // x-fake-dim: the vectors' dimension (default 64, at most 65536 so tests can
  // send more than et accepts).
  size_t dim = 64;
  if (auto it = req.find("x-fake-dim"); it != req.end()) {
    auto n = std::atoll(std::string{it->value()}.c_str());
    if (n >= 1 && n <= 65536)
      dim = static_cast<size_t>(n);
  }
  auto body = embed_body(r.proto, *in, dim);
  if (f == fault::malformed)
    body.resize(body.size() / 2);
  if (f == fault::cut)
    return send_cut("application/json", body);
  bill_ = pending_bill{in->model, "", in->prompt_tokens, 0};
  send(200, "application/json", std::move(body), reply_.latency);
}

} // namespace et::fake::detail
