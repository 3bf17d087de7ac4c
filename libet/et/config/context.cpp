// The `context` section: which model alias embeds the index's chunks, where the vectors
// live (`qdrant`), what the index reads and how it cuts it (`index`), and how --fetch
// reaches web pages (`fetch`, read in context_fetch.cpp).
#include <cctype>

#include "et/config/detail/sections.hpp"
#include "et/util/url.hpp"

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

// Qdrant's collection names go into URL paths: a conservative alphabet needs no escaping.
bool collection_name(const std::string& name) {
  if (name.empty() || name.size() > 255)
    return false;
  for (char c : name)
    if (c != '_' && c != '-' && c != '.' && !std::isalnum(static_cast<unsigned char>(c)))
      return false;
  return name != "." && name != "..";
}

void read_qdrant(reader& r, const located& at, const settings& s, qdrant_settings& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"url", "collection", "api_key"});
  auto url_at = r.child(at, "url");
  if (!url_at.node.IsDefined())
    r.error(at.node, at.path, "qdrant needs a url, e.g. http://127.0.0.1:6333");
  else if (auto text = r.text(url_at)) {
    if (!parse_url(*text))
      r.error(url_at.node, url_at.path, "expected an http(s) URL, e.g. http://127.0.0.1:6333");
    else
      out.url = *text;
  }
  out.collection = "et";
  auto coll_at = r.child(at, "collection");
  if (coll_at.node.IsDefined())
    if (auto name = r.text(coll_at)) {
      if (!collection_name(*name))
        r.error(coll_at.node, coll_at.path,
                "expected a collection name of letters, digits, '_', '-' or '.' (1 to 255)");
      else
        out.collection = *name;
    }
  auto key_at = r.child(at, "api_key");
  if (key_at.node.IsDefined())
    if (auto key = r.header_value(key_at)) {
      // Never echo the value: only which variable is missing.
      if (!key->unset.empty())
        r.credential_error(key_at.node, key_at.path,
                       "environment variable " + key->unset.front() + " is not set");
      else
        out.api_key = key->text;
    }
  if (s.context.embed.empty())
    r.error(at.node, at.path,
            "qdrant holds embeddings: it needs context.embed (an embedding model alias)");
}

void read_index(reader& r, const located& at, index_settings& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"max_file_bytes", "chunk_lines", "chunk_bytes"});
  if (auto v = r.integer(r.child(at, "max_file_bytes"), 1024, int64_t{64} << 20))
    out.max_file_bytes = *v;
  if (auto v = r.integer(r.child(at, "chunk_lines"), 1, 1000))
    out.chunk_lines = static_cast<int>(*v);
  // Prompts take whole chunks: 8 KiB of them without a context window, 2 to 32 KiB with one.
  if (auto v = r.integer(r.child(at, "chunk_bytes"), 256, 8192))
    out.chunk_bytes = static_cast<int>(*v);
}

} // namespace

void read_context(reader& r, const located& at, settings& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"embed", "embed_fallbacks", "embed_batch", "qdrant", "fetch", "index"});
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
  read_qdrant(r, r.child(at, "qdrant"), out, out.context.qdrant);
  read_context_fetch(r, r.child(at, "fetch"), out.context.fetch);
  read_index(r, r.child(at, "index"), out.context.index);
}

} // namespace et::config::detail
