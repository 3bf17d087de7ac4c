#pragma once
/// The index's vectors in Qdrant (`context: {qdrant: {url, collection, api_key}}`): `et index`
/// embeds the chunks that have no point yet and upserts them, after deleting the points of
/// files that changed or went away; queries take the vector side of the hybrid ranking from a
/// Qdrant search. The local index keeps BM25 and the bookkeeping of what was pushed.

#include <cstddef>
#include <string>
#include <vector>

#include "et/app/commands.hpp"
#include "et/app/context_embed.hpp"
#include "et/context/index.hpp"
#include "et/util/result.hpp"

namespace et::app {

/// Where the points go and what makes them: "URL/collections/NAME (EMBED IDENTITY)".
/// Pushed points of another target are replaced, never mixed.
std::string qdrant_target(const config::settings& s);

/// What a push did besides embedding.
struct push_totals {
  size_t upserted = 0;      ///< points upserted
  size_t files_cleared = 0; ///< files whose stale points were deleted
  /// Why every point of the project in the collection was deleted before this push ("" when
  /// none had been pushed before: a first push says nothing of replacing).
  std::string started_over;
};

/// Brings the collection up to date with `db` (its project root in the payloads): deletes stale
/// points, creates the collection with the model's dimension when missing, embeds and upserts the
/// chunks without a point. On a failure what was pushed so far stays recorded.
result<void> push_to_qdrant(context& ctx, const config::settings& s, et::context::index_db& db,
                            embed_totals& embedded, push_totals& pushed);

/// The chunks of `root` nearest to `vector` in the collection, best first (at most `n`).
result<std::vector<et::context::located_hit>> qdrant_nearest(const config::settings& s,
                                                             const std::string& root,
                                                             const std::vector<float>& vector,
                                                             size_t n);

} // namespace et::app
