#include "et/app/context_index.hpp"

#include <ostream>

#include "et/app/context_embed.hpp"
#include "et/config/paths.hpp"
#include "et/context/files.hpp"
#include "et/context/index.hpp"
#include "et/context/prompt.hpp"

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

std::optional<std::string> retrieve_for_task(context& ctx, const config::settings& s,
                                             const std::string& flag, const std::string& task) {
  if (flag == "off")
    return std::string{};
  if (flag.empty()) {
    std::error_code ec;
    if (auto cwd = fs::current_path(ec); ec || cwd.empty())
      return std::string{}; // no working folder (deleted under us): no project to look in
  }
  auto where = locate_index(ctx, s, flag, "run", "--context");
  if (!where)
    return std::nullopt;
  bool chosen = !flag.empty();
  auto refuse = [&](const std::string& why) -> std::optional<std::string> {
    if (!chosen) {
      ctx.err << "et run: warning: no project context: " << why << "\n";
      return std::string{};
    }
    ctx.err << "et run: --context: " << why << "\n";
    ctx.exit = exit_failed;
    return std::nullopt;
  };
  if (!fs::exists(where->file)) {
    if (!chosen)
      return std::string{}; // nothing indexed here: a run without context, as before
    return refuse("no index for " + where->root.string() + " (run `et index " + where->root.string()
                  + "` first)");
  }
  auto db = et::context::index_db::open(where->file);
  if (!db)
    return refuse(db.error().message);
  std::string ranking;
  std::string why;
  auto hits = ranked_query(ctx, s, **db, task, et::context::context_hits, "et run", ranking, why);
  if (!hits)
    return refuse(hits.error().message);
  if (!s.context.embed.empty() && ranking != "hybrid")
    ctx.err << "et run: context ranked by BM25 only: " << why << "\n";
  auto block = et::context::context_block(*hits);
  if (!hits->empty()) {
    ctx.err << "context: " << hits->size() << " excerpts from " << where->root.string() << " ("
            << ranking << "):";
    for (const auto& h : *hits)
      ctx.err << " " << et::context::source_of(h);
    ctx.err << "\n";
  }
  return block;
}

} // namespace et::app
