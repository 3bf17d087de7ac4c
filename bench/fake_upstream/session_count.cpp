// The fake upstream's answers to token-count requests (see count.hpp), with the same fault
// injection as chat answers. A count is free: nothing is billed.
// (-Wnull-dereference: Asio false positives, as in session.cpp.)
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "count.hpp"
#include "session.hpp"

namespace et::fake::detail {

void session::answer_count(const route& r, fault_request fr) {
  auto in = parse_count(r, parser_->get().body());
  if (!in.refusal.empty())
    return send(400, "application/json", count_refusal_body(r.proto, in.refusal), duration{0});
  if (fr.key.empty())
    fr.key = in.model;
  auto f = pick(fr);
  if (f == fault::stream_error)
    f = fault::server_error;
  if (f != fault::none && f != fault::cut && f != fault::malformed)
    return answer_fault(r.proto, f, in.model, in.tokens);
  auto body = count_body(r.proto, in.tokens);
  if (f == fault::malformed)
    body.resize(body.size() / 2);
  if (f == fault::cut)
    return send_cut("application/json", body);
  send(200, "application/json", std::move(body), reply_.latency);
}

} // namespace et::fake::detail
