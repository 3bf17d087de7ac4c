#pragma once
/// One HTTP exchange waited for whole, for code on a thread of its own (a command, the
/// indexer, a fetch): never call it on an I/O thread of the same runtime or on an actor's.

#include <string>

#include "et/http/client.hpp"

namespace et::http {

/// A response as it arrived, body complete.
struct whole_response {
  int status = 0;      ///< e.g. 200, 302, 429
  header_list headers; ///< as received, duplicates kept
  std::string body;    ///< within the client's max_body_bytes
};

/// Sends `req` on `c` and blocks until the exchange ends: the response, or the client's
/// failure (which names the origin and the step, never a header). The request's total
/// timeout bounds the wait; with none set, so does nothing else.
result<whole_response> send_whole(client& c, request req);

} // namespace et::http
