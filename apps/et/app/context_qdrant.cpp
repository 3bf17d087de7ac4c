#include "et/app/context_qdrant.hpp"

#include "et/context/qdrant.hpp"
#include "et/http/runtime.hpp"
#include "et/util/url.hpp"

namespace et::app {

namespace {

namespace retrieval = ::et::context;
namespace qdrant = ::et::context::qdrant;

// A missing collection holds no stale point: deleting from it is done.
result<void> remove_points(retrieval::qdrant_store& store, const std::string& root,
                           const std::string& path) {
  auto r = store.remove(root, path);
  if (!r && r.error().code == errc::not_found)
    return {};
  return r;
}

} // namespace

std::string qdrant_target(const config::settings& s) {
  const auto& q = s.context.qdrant;
  auto base = parse_url(q.url);
  return (base ? base->to_string() : q.url) + "/collections/" + q.collection + " ("
         + embed_identity(s) + ")";
}

result<void> push_to_qdrant(context& ctx, const config::settings& s, retrieval::index_db& db,
                            embed_totals& embedded, push_totals& pushed) {
  auto st = db.status();
  if (!st)
    return st.error();
  const auto root = st->root;
  http::runtime rt{1};
  auto store = retrieval::qdrant_store::open(rt, s.context.qdrant);
  if (!store)
    return store.error();
  auto changed = db.remote_changed(qdrant_target(s));
  if (!changed)
    return changed.error();
  if (*changed) {
    // Points of this project pushed under another model, cut with other limits or never
    // recorded here would be mixed with the new ones: the project starts over in the
    // collection, and the records follow only once the delete went through.
    if (auto r = remove_points(**store, root, ""); !r)
      return r;
    if (auto r = db.forget_pushed(qdrant_target(s)); !r)
      return r;
    // Said only when this index had pushed points before: a first push replaces nothing.
    auto target = qdrant_target(s);
    if (st->remote_target == target)
      pushed.started_over = "new chunk limits: the project's earlier points were replaced";
    else if (!st->remote_target.empty())
      pushed.started_over = "the index was pushed to " + st->remote_target
                            + " before: the project's points here were replaced";
  }
  auto stale = db.stale_paths();
  if (!stale)
    return stale.error();
  for (const auto& path : *stale) {
    if (auto r = remove_points(**store, root, path); !r)
      return r;
    if (auto r = db.clear_stale(path); !r)
      return r;
    ++pushed.files_cleared;
  }
  std::vector<retrieval::remote_chunk> batch;
  bool collection_ready = false;
  auto next = [&](size_t n) -> result<std::vector<std::string>> {
    auto chunks = db.chunks_to_push(n);
    if (!chunks)
      return chunks.error();
    batch = std::move(*chunks);
    std::vector<std::string> texts;
    for (const auto& c : batch)
      texts.push_back(c.text);
    return texts;
  };
  auto take = [&](std::vector<std::vector<float>>&& vectors) -> result<void> {
    if (vectors.size() != batch.size() || vectors.empty())
      return make_failure(errc::invalid_input,
                          "the embedding model answered " + std::to_string(vectors.size())
                              + " vectors for " + std::to_string(batch.size()) + " chunks");
    if (!collection_ready) {
      // The model's answer gives the dimension: the collection is made (or checked) with it.
      if (auto r = (*store)->ensure_collection(vectors.front().size()); !r)
        return r;
      collection_ready = true;
    }
    std::vector<qdrant::point> points;
    std::vector<int64_t> ids;
    for (size_t i = 0; i < batch.size(); ++i) {
      auto& c = batch[i];
      points.push_back({qdrant::point_id(root, c.path, c.start_line), std::move(vectors[i]), root,
                        c.path, c.start_line, c.end_line, std::move(c.text)});
      ids.push_back(c.id);
    }
    if (auto r = (*store)->upsert(points); !r)
      return r;
    pushed.upserted += points.size();
    return db.mark_pushed(ids);
  };
  return embed_stream(ctx, s, "et index", next, take, embedded);
}

result<std::vector<retrieval::located_hit>> qdrant_nearest(const config::settings& s,
                                                           const std::string& root,
                                                           const std::vector<float>& vector,
                                                           size_t n) {
  http::runtime rt{1};
  auto store = retrieval::qdrant_store::open(rt, s.context.qdrant);
  if (!store)
    return store.error();
  auto hits = (*store)->search(root, vector, n);
  if (!hits)
    return hits.error();
  std::vector<retrieval::located_hit> out;
  for (auto& h : *hits)
    out.push_back({std::move(h.path), h.start_line, h.end_line});
  return out;
}

} // namespace et::app
