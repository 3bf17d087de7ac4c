#include "et/app/context_index.hpp"

#include <algorithm>
#include <memory>
#include <ostream>

#include "et/app/context_embed.hpp"
#include "et/config/paths.hpp"
#include "et/context/files.hpp"
#include "et/context/index.hpp"
#include "et/context/prompt.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace fs = std::filesystem;

std::optional<project_index> locate_index(context& ctx, const config::settings& s,
                                          const std::string& path, const char* command,
                                          const char* flag) {
  std::optional<fs::path> root;
  if (path.empty()) {
    std::error_code ec;
    auto cwd = fs::current_path(ec);
    if (auto r = et::context::project_root(ec ? fs::path{"."} : cwd))
      root = *r;
  } else {
    // A folder given by name is indexed as its own root, even inside a larger repository.
    std::error_code ec;
    auto canonical = fs::canonical(path, ec);
    if (!ec && fs::is_directory(canonical, ec))
      root = canonical;
  }
  if (!root) {
    ctx.err << "et " << command << ": " << flag << (flag[0] ? ": " : "")
            << "not a folder: " << (path.empty() ? "." : path) << "\n";
    ctx.exit = exit_usage;
    return std::nullopt;
  }
  auto state = config::state_dir(s, config::process_env());
  return project_index{*root, et::context::index_file(state, *root)};
}

namespace {

// The smallest known input window among the models `role_name` sends to (its model,
// fallbacks and pool): its prompts must fit each. nullopt when none is known.
std::optional<int64_t> role_window(const config::settings& s, const std::string& role_name) {
  const auto& role = s.role_or_default(role_name);
  std::vector<std::string> refs{role.model};
  refs.insert(refs.end(), role.fallbacks.begin(), role.fallbacks.end());
  for (const auto& m : role.pool)
    refs.push_back(m.model);
  std::optional<int64_t> smallest;
  for (const auto& ref : refs)
    if (auto a = s.models.find(ref); a != s.models.end() && a->second.context_window)
      smallest = std::min(smallest.value_or(*a->second.context_window), *a->second.context_window);
  return smallest;
}

} // namespace

std::optional<run_context> retrieve_for_run(context& ctx, const config::settings& s,
                                            const std::string& flag, const std::string& task,
                                            const std::string& supervisor,
                                            const std::string& worker) {
  if (flag == "off")
    return run_context{};
  if (flag.empty()) {
    std::error_code ec;
    if (auto cwd = fs::current_path(ec); ec || cwd.empty())
      return run_context{}; // no working folder (deleted under us): no project to look in
  }
  auto where = locate_index(ctx, s, flag, "run", "--context");
  if (!where)
    return std::nullopt;
  bool chosen = !flag.empty();
  auto refuse = [&](const std::string& why) -> std::optional<run_context> {
    if (!chosen) {
      ctx.err << "et run: warning: no project context: " << why << "\n";
      return run_context{};
    }
    ctx.err << "et run: --context: " << why << "\n";
    ctx.exit = exit_failed;
    return std::nullopt;
  };
  if (!fs::exists(where->file)) {
    if (!chosen)
      return run_context{}; // nothing indexed here: a run without context, as before
    return refuse("no index for " + where->root.string() + " (run `et index " + where->root.string()
                  + "` first)");
  }
  auto opened = et::context::index_db::open(where->file);
  if (!opened)
    return refuse(opened.error().message);
  std::shared_ptr<const et::context::index_db> db = std::move(*opened);
  std::string ranking;
  std::string why;
  auto hits = ranked_query(ctx, s, *db, task, et::context::context_hits, "et run", ranking, why);
  if (!hits)
    return refuse(hits.error().message);
  if (!s.context.embed.empty() && ranking != "hybrid")
    ctx.err << "et run: context ranked by BM25 only: " << why << "\n";
  auto found =
      et::context::excerpts_of(*hits, et::context::context_budget(role_window(s, supervisor)));
  if (!found.sources.empty())
    ctx.err << "context: " << found.sources.size() << " excerpts from " << where->root.string()
            << " (" << ranking << "): " << join(found.sources, " ") << "\n";
  run_context out;
  out.task_block = std::move(found.block);
  // Subtasks rank as the task did: the run embeds their texts through its router (one call
  // per batch) when the task ranked hybrid. A fused query that fails falls back to BM25, and
  // a subtask whose query fails altogether gets no excerpts: its work does not depend on them.
  auto st = db->status();
  if (ranking == "hybrid" && st) {
    out.embed_subtasks = s.context.embed;
    out.embed_fallbacks = s.context.embed_fallbacks;
    out.embed_model = embed_model_id(s);
  }
  // After one failed fused query (a vector of another dimension, Qdrant down) the rest rank
  // by BM25 at once: a dead Qdrant must not cost every subtask its time limits.
  out.for_subtasks = [db, settings = std::make_shared<const config::settings>(s),
                      root = st ? st->root : std::string{},
                      budget = et::context::context_budget(role_window(s, worker)),
                      fused_failed = std::make_shared<bool>(false)](
                         const std::string& text, const std::vector<float>* vector) {
    auto k = et::context::context_hits;
    et::context::ranked_excerpts ranked;
    if (vector && !*fused_failed) {
      auto fused = fused_query(*settings, *db, root, text, *vector, k);
      if (fused) {
        ranked.found = et::context::excerpts_of(*fused, budget);
        ranked.hybrid = true;
        return ranked;
      }
      ranked.why = fused.error().message;
      *fused_failed = true;
    }
    if (auto best = db->query(text, k))
      ranked.found = et::context::excerpts_of(*best, budget);
    return ranked;
  };
  return out;
}

} // namespace et::app
