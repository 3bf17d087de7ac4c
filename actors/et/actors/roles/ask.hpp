#pragma once
/// Internal to the role actors: asking the router for a role and turning its
/// answer into the actor's reply. Included by the role sources only.

#include <atomic>
#include <utility>

#include "caf/typed_response_promise.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/interfaces.hpp"
#include "et/util/quote.hpp"
#include "et/util/result.hpp"

namespace et::actors::roles_detail {

/// A request id unique within this process, so cancels and stream pieces of
/// different role actors never mix.
inline uint64_t next_request_id() {
  static std::atomic<uint64_t> next{1};
  return next++;
}

/// The role request for `role` (and `target`, "" = the role's chain).
inline role_request make_role_request(const std::string& role, const std::string& target,
                                      chat_request req) {
  return role_request{next_request_id(), role, target, std::move(req)};
}

/// Sends `req` to the router and delivers `convert(answer)` (a result<T>) to
/// the current requester. Router errors pass through unchanged; a failed
/// conversion becomes its typed error. Never blocks.
template <class T, class Self, class Convert>
caf::typed_response_promise<T> ask(Self* self, const router_actor& router, role_request req,
                                   Convert convert) {
  auto rp = self->template make_response_promise<T>();
  self->request(router, caf::infinite, complete_atom::value, std::move(req))
      .then(
          [rp, convert](routed_response& answer) mutable {
            result<T> out = convert(answer);
            if (out)
              rp.deliver(std::move(*out));
            else
              rp.deliver(to_caf(out.error()));
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

/// The text of an answer as a result (an answer is text; nothing to parse), without quote
/// marks of its prompt that the model echoed around it.
inline result<std::string> text_of(routed_response& answer) {
  return without_echoed_marks(std::move(answer.response.content));
}

} // namespace et::actors::roles_detail
