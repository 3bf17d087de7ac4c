#include "et/app/context_embed.hpp"

#include <chrono>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/app/context_qdrant.hpp"
#include "et/app/runtime.hpp"
#include "et/routing/chain.hpp"

namespace et::app {

namespace {

namespace retrieval = ::et::context;

// The provider actor bounds each attempt by its timeouts; this only catches a router
// that never answers.
constexpr auto embed_bound = std::chrono::minutes{30};

// One embedding call through the router.
result<routed_embedding> embed_once(caf::scoped_actor& self, const actors::router_actor& router,
                                    const config::settings& s, std::vector<std::string> inputs) {
  role_embed_request req;
  req.id = 1;
  req.role = "embed";
  req.target = s.context.embed;
  req.fallbacks = s.context.embed_fallbacks;
  req.inputs = std::move(inputs);
  std::optional<result<routed_embedding>> out;
  self->request(router, embed_bound, actors::embed_atom::value, std::move(req))
      .receive([&](routed_embedding& r) { out = std::move(r); },
               [&](caf::error& e) { out = actors::from_caf(e); });
  auto want = embed_model_id(s);
  if (*out && !want.empty() && (*out)->model != want)
    return make_failure(errc::invalid_input,
                        "context.embed_fallbacks: "
                            + ((*out)->alias.empty() ? (*out)->provider : (*out)->alias)
                            + " answered with model " + (*out)->model + ", not " + want
                            + ": two models' vectors do not mix (a fallback must serve the "
                              "same model)");
  return std::move(*out);
}

std::shared_ptr<const config::settings> shared(const config::settings& s) {
  return std::make_shared<const config::settings>(s);
}

// Adds one answered embedding call to the totals: its tokens, dollars, who answered and
// the dimension of its vectors.
void count_call(embed_totals& done, const routed_embedding& r) {
  ++done.calls;
  done.tokens += r.response.tokens.prompt_tokens;
  if (r.response.usd)
    done.usd += *r.response.usd;
  else
    done.unpriced = true;
  done.answered_by = r.alias;
  done.dimension = r.response.vectors.empty() ? 0 : r.response.vectors.front().size();
}

} // namespace

std::string embed_identity(const config::settings& s) {
  if (s.context.embed.empty())
    return {};
  auto m = s.models.find(s.context.embed);
  if (m == s.models.end())
    return s.context.embed;
  return s.context.embed + "=" + m->second.provider + "/" + m->second.model;
}

std::string embed_model_id(const config::settings& s) {
  // The router's own resolution, so the id compares with what its answers name.
  auto c = routing::resolve_reference(s, s.role_or_default("embed"), s.context.embed, {});
  return c ? c->where.model : std::string{};
}

result<void> embed_index(context& ctx, const config::settings& s, retrieval::index_db& db,
                         embed_totals& done) {
  auto identity = embed_identity(s);
  if (identity.empty())
    return {};
  auto changed = db.use_embed_model(identity);
  if (!changed)
    return changed.error();
  auto before = db.status();
  if (!before)
    return before.error();
  done.reset = *changed && before->chunks > 0;
  auto first = db.chunks_to_embed(1);
  if (!first)
    return first.error();
  if (first->empty())
    return {}; // nothing to embed: no runtime, no call
  auto rt = role_runtime::start(ctx, "et index", shared(s));
  if (!rt)
    return make_failure(errc::invalid_config, "cannot start the router for embeddings");
  caf::scoped_actor self{rt->system()};
  auto batch = static_cast<size_t>(std::max(1, s.context.embed_batch));
  bool dimension_checked = false;
  for (;;) {
    auto pending = db.chunks_to_embed(batch);
    if (!pending)
      return pending.error();
    if (pending->empty())
      return {};
    std::vector<std::string> texts;
    std::vector<int64_t> ids;
    for (auto& c : *pending) {
      ids.push_back(c.id);
      texts.push_back(std::move(c.text));
    }
    auto r = embed_once(self, rt->router(), s, std::move(texts));
    if (!r)
      return r.error();
    count_call(done, *r);
    auto dim = done.dimension;
    if (!dimension_checked) {
      // The model (or its server) may answer with another dimension than the vectors
      // stored: re-embed everything rather than mix the two.
      dimension_checked = true;
      auto st = db.status();
      if (!st)
        return st.error();
      if (st->dimension != 0 && st->dimension != dim) {
        if (auto reset = db.reset_vectors(identity); !reset)
          return reset.error();
        done.reset = true; // this batch is stored under the new dimension below
      }
    }
    if (auto stored = db.store_vectors(ids, r->response.vectors); !stored)
      return stored.error();
    done.chunks += ids.size();
  }
}

result<void> embed_stream(context& ctx, const config::settings& s, const char* command,
                          const embed_source& next, const embed_sink& take, embed_totals& done) {
  auto batch = static_cast<size_t>(std::max(1, s.context.embed_batch));
  auto texts = next(batch);
  if (!texts)
    return texts.error();
  if (texts->empty())
    return {};
  auto rt = role_runtime::start(ctx, command, shared(s));
  if (!rt)
    return make_failure(errc::invalid_config, "cannot start the router for embeddings");
  caf::scoped_actor self{rt->system()};
  while (!texts->empty()) {
    auto count = texts->size();
    auto r = embed_once(self, rt->router(), s, std::move(*texts));
    if (!r)
      return r.error();
    count_call(done, *r);
    if (auto stored = take(std::move(r->response.vectors)); !stored)
      return stored.error();
    done.chunks += count;
    texts = next(batch);
    if (!texts)
      return texts.error();
  }
  return {};
}

result<std::vector<float>> embed_query(context& ctx, const config::settings& s,
                                       const std::string& text, const char* command) {
  auto rt = role_runtime::start(ctx, command, shared(s));
  if (!rt)
    return make_failure(errc::invalid_config, "cannot start the router for embeddings");
  caf::scoped_actor self{rt->system()};
  auto r = embed_once(self, rt->router(), s, {text});
  if (!r)
    return r.error();
  if (r->response.vectors.size() != 1)
    return make_failure(errc::invalid_input, "the embedding model answered no vector");
  return std::move(r->response.vectors.front());
}

result<std::vector<retrieval::hit>> fused_query(const config::settings& s,
                                                const retrieval::index_db& db,
                                                const std::string& root, const std::string& text,
                                                const std::vector<float>& vector, size_t k) {
  if (!s.context.qdrant.enabled())
    return db.query_hybrid(text, vector, k);
  auto nearest = qdrant_nearest(s, root, vector, std::max<size_t>(50, 5 * k));
  if (!nearest)
    return nearest.error();
  return db.query_fused(text, *nearest, k);
}

result<std::vector<retrieval::hit>> ranked_query(context& ctx, const config::settings& s,
                                                 const retrieval::index_db& db,
                                                 const std::string& text, size_t k,
                                                 const char* command, std::string& ranking,
                                                 std::string& why) {
  ranking = "bm25";
  auto st = db.status();
  if (!st)
    return st.error();
  auto identity = embed_identity(s);
  bool remote = s.context.qdrant.enabled();
  if (identity.empty())
    why = "context.embed is not set";
  else if (remote && st->pushed == 0)
    why = "Qdrant holds no points of this index (run `et index`)";
  else if (remote && st->remote_target != qdrant_target(s))
    why = "the index's points were pushed to " + st->remote_target + ", not " + qdrant_target(s)
          + " (run `et index`)";
  else if (!remote && st->embedded == 0)
    why = "the index has no vectors (run `et index`)";
  else if (!remote && st->embed_model != identity)
    why = "the index's vectors are from " + st->embed_model + ", not " + identity
          + " (run `et index`)";
  if (!why.empty())
    return db.query(text, k);
  auto vector = embed_query(ctx, s, text, command);
  if (!vector) {
    why = "embedding the query failed: " + vector.error().message;
    return db.query(text, k);
  }
  auto hits = fused_query(s, db, st->root, text, *vector, k);
  if (!hits) {
    why = hits.error().message;
    return db.query(text, k);
  }
  ranking = "hybrid";
  return hits;
}

} // namespace et::app
