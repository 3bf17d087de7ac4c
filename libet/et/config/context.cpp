// The `context` section: which model alias embeds the index's chunks, and how --fetch
// reaches web pages (`fetch`, read in context_fetch.cpp).
#include "et/config/detail/sections.hpp"

namespace et::config::detail {

namespace {

// An alias that can embed: it exists and its provider speaks an embedding protocol.
void check_alias(reader& r, const located& at, const settings& s, const std::string& alias) {
  auto m = s.models.find(alias);
  if (m == s.models.end()) {
    r.error(at.node, at.path, "\"" + alias + "\" is not a model alias (defined under models)");
    return;
  }
  auto p = s.providers.find(m->second.provider);
  if (p != s.providers.end() && p->second.type == provider_type::anthropic)
    r.error(at.node, at.path,
            "alias \"" + alias + "\" is on provider \"" + p->first
                + "\" (anthropic), which has no embeddings endpoint");
}

} // namespace

void read_context(reader& r, const located& at, settings& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"embed", "embed_fallbacks", "embed_batch", "fetch"});
  auto embed_at = r.child(at, "embed");
  if (embed_at.node.IsDefined())
    if (auto alias = r.text(embed_at)) {
      out.context.embed = *alias;
      if (!alias->empty())
        check_alias(r, embed_at, out, *alias);
    }
  auto fb_at = r.child(at, "embed_fallbacks");
  if (fb_at.node.IsDefined()) {
    out.context.embed_fallbacks = r.string_list(fb_at);
    if (out.context.embed.empty() && !out.context.embed_fallbacks.empty())
      r.error(fb_at.node, fb_at.path, "embed_fallbacks needs context.embed");
    for (const auto& alias : out.context.embed_fallbacks)
      check_alias(r, fb_at, out, alias);
  }
  auto batch_at = r.child(at, "embed_batch");
  if (batch_at.node.IsDefined())
    if (auto n = r.integer(batch_at, 1, 2048))
      out.context.embed_batch = static_cast<int>(*n);
  read_context_fetch(r, r.child(at, "fetch"), out.context.fetch);
}

} // namespace et::config::detail
