#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <memory>
#include <ostream>

#include "et/app/commands.hpp"
#include "et/app/context_embed.hpp"
#include "et/app/context_index.hpp"
#include "et/context/index.hpp"

namespace et::app {

namespace {

namespace retrieval = ::et::context;

constexpr size_t preview_lines = 3;

struct query_flags {
  std::string text;
  std::string root;
  size_t k = 8;
  bool json = false;
};

// The first `n` lines of a chunk, each indented, for a glance at what matched.
std::string preview(const std::string& text, size_t n) {
  std::string out;
  size_t start = 0;
  for (size_t i = 0; i < n && start < text.size(); ++i) {
    auto end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    out += "    " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

void print_json(std::ostream& out, const project_index& where, const query_flags& flags,
                const std::vector<retrieval::hit>& hits, const std::string& ranking) {
  boost::json::array items;
  for (const auto& h : hits)
    items.emplace_back(boost::json::object{{"path", h.path},
                                           {"start_line", h.start_line},
                                           {"end_line", h.end_line},
                                           {"score", h.score},
                                           {"text", h.text}});
  out << boost::json::serialize(boost::json::object{
      {"root", where.root.string()}, {"query", flags.text}, {"ranking", ranking}, {"hits", items}})
      << "\n";
}

int run_query(context& ctx, const query_flags& flags) {
  if (retrieval::fts_query(flags.text).empty()) {
    ctx.err << "et context query: TEXT has no word to search for\n";
    return exit_usage;
  }
  auto s = load_settings(ctx);
  if (!s)
    return exit_usage;
  auto where = locate_index(ctx, *s, flags.root, "context query", "--root");
  if (!where)
    return exit_usage;
  if (!std::filesystem::exists(where->file)) {
    ctx.err << "et context query: no index for " << where->root.string() << " (run `et index "
            << where->root.string() << "` first)\n";
    return exit_failed;
  }
  auto db = retrieval::index_db::open(where->file);
  if (!db) {
    ctx.err << "et context query: " << db.error().message << "\n";
    return exit_failed;
  }
  std::string ranking;
  std::string why;
  auto hits = ranked_query(ctx, *s, **db, flags.text, flags.k, "et context query", ranking, why);
  if (!hits) {
    ctx.err << "et context query: " << hits.error().message << "\n";
    return exit_failed;
  }
  if (flags.json) {
    print_json(ctx.out, *where, flags, *hits, ranking);
    if (!s->context.embed.empty() && ranking != "hybrid")
      ctx.err << "et context query: ranked by BM25 only: " << why << "\n";
    return exit_ok;
  }
  auto cosine = s->context.qdrant.enabled() ? "Qdrant cosine" : "cosine";
  ctx.err << "ranking: "
          << (ranking == "hybrid"
                  ? "hybrid (BM25 and " + std::string{cosine} + ", reciprocal rank fusion)"
                  : "bm25" + (why.empty() ? "" : " (" + why + ")"))
          << "\n";
  if (hits->empty())
    ctx.out << "no matches in " << where->root.string() << "\n";
  for (const auto& h : *hits) {
    char score[32];
    std::snprintf(score, sizeof score, "%.3f", h.score);
    ctx.out << h.path << ":" << h.start_line << "-" << h.end_line << "  " << score << "\n"
            << preview(h.text, preview_lines);
  }
  return exit_ok;
}

} // namespace

void add_context_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand("context", "retrieval context: search the project index");
  cmd->require_subcommand(1);
  auto* query = cmd->add_subcommand(
      "query", "print the index chunks that best match TEXT, best first (BM25, fused with cosine "
               "similarity when the index holds vectors of context.embed)");
  add_config_flag(*query, ctx);
  auto flags = std::make_shared<query_flags>();
  query->add_option("text", flags->text, "what to look for (any text)")->required();
  query->add_option("-k", flags->k, "how many hits (1-100, default 8)")->check(CLI::Range(1, 100));
  query->add_option("--root", flags->root,
                    "the indexed project folder (default: the current project)");
  query->add_flag("--json", flags->json, "print one JSON document");
  query->callback([&ctx, flags] { ctx.exit = run_query(ctx, *flags); });
}

} // namespace et::app
