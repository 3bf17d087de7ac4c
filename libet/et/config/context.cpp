// The `context` section: retrieval settings (`fetch`: how --fetch reaches web pages).
#include "et/config/detail/sections.hpp"

namespace et::config::detail {

void read_context(reader& r, const located& at, settings& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"fetch"});
  read_context_fetch(r, r.child(at, "fetch"), out.context.fetch);
}

} // namespace et::config::detail
