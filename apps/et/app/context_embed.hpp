#pragma once
/// Embeddings for the retrieval index (`context: {embed: ALIAS}`): chunks and queries are
/// embedded through the router like any other call (fallbacks, retries, cooldowns, budgets,
/// the ledger under role "embed"), and a query ranks by BM25 and cosine together when the
/// index holds vectors of the configured model.

#include <functional>
#include <string>
#include <vector>

#include "et/app/commands.hpp"
#include "et/context/index.hpp"
#include "et/util/result.hpp"

namespace et::app {

/// The identity of the configured embedding model, "alias=provider/model" ("" when
/// context.embed is not set): vectors made under another identity are dropped, not mixed.
std::string embed_identity(const config::settings& s);

/// The model id context.embed resolves to, as the router resolves it ("" when it does not):
/// a fallback's answer must come from it, since two models' vectors do not mix.
std::string embed_model_id(const config::settings& s);

/// What embedding an index cost.
struct embed_totals {
  size_t chunks = 0;       ///< chunks embedded
  size_t calls = 0;        ///< embedding calls answered
  int64_t tokens = 0;      ///< prompt tokens billed
  double usd = 0;          ///< their cost
  bool unpriced = false;   ///< some call had no price
  bool reset = false;      ///< stored vectors were dropped (another model or dimension)
  size_t dimension = 0;    ///< the model's dimension (0: no call was made)
  std::string answered_by; ///< the last alias that answered
};

/// Embeds every chunk of `db` that has no vector, in batches of context.embed_batch, after
/// dropping vectors of another model or dimension. On a failure the vectors stored so far
/// stay (the next run goes on from there); `done` holds what was embedded before it.
result<void> embed_index(context& ctx, const config::settings& s, et::context::index_db& db,
                         embed_totals& done);

/// Texts to embed next, at most `batch` of them (none: done).
using embed_source = std::function<result<std::vector<std::string>>(size_t batch)>;
/// Takes the vectors of the texts `embed_source` gave last, in their order.
using embed_sink = std::function<result<void>(std::vector<std::vector<float>>&&)>;

/// Embeds what `next` gives, batch by batch (context.embed_batch) through one router
/// runtime, handing each batch's vectors to `take`, until `next` gives none or a step
/// fails; `done` counts the calls and their cost. No text at all: no runtime, no call.
result<void> embed_stream(context& ctx, const config::settings& s, const char* command,
                          const embed_source& next, const embed_sink& take, embed_totals& done);

/// The vector of `text` by context.embed (one call through the router, ledger role "embed").
result<std::vector<float>> embed_query(context& ctx, const config::settings& s,
                                       const std::string& text, const char* command);

/// The `k` best hits for `text` whose embedding is `vector`: BM25 fused with the nearest
/// vectors, the index's own or, when context.qdrant is set, Qdrant's points of `root`.
result<std::vector<et::context::hit>> fused_query(const config::settings& s,
                                                  const et::context::index_db& db,
                                                  const std::string& root, const std::string& text,
                                                  const std::vector<float>& vector, size_t k);

/// The hits for `text`: fused BM25 and cosine ("hybrid") when the index holds vectors of the
/// configured model, else BM25 ("bm25"); `ranking` says which, `why` why not hybrid (""
/// when hybrid). A failed query embedding falls back to BM25 with the reason in `why`.
result<std::vector<et::context::hit>> ranked_query(context& ctx, const config::settings& s,
                                                   const et::context::index_db& db,
                                                   const std::string& text, size_t k,
                                                   const char* command, std::string& ranking,
                                                   std::string& why);

} // namespace et::app
