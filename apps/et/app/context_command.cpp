#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <memory>
#include <ostream>

#include "et/app/commands.hpp"
#include "et/app/context_embed.hpp"
#include "et/app/context_fetch.hpp"
#include "et/app/context_index.hpp"
#include "et/app/flag_checks.hpp"
#include "et/app/json_out.hpp"
#include "et/context/index.hpp"
#include "et/context/web_context.hpp"

namespace et::app {

namespace {

namespace retrieval = ::et::context;

constexpr size_t preview_lines = 3;

struct query_flags {
  std::string text;
  std::string root;
  size_t k = 8;
  bool json = false;
  std::vector<std::string> fetch; ///< pages ranked beside the index, as `et run --fetch` does
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

// `key` names where a hit comes from: "path" in the project, "url" of a fetched page.
boost::json::array json_hits(const std::vector<retrieval::hit>& hits, const char* key) {
  boost::json::array items;
  for (const auto& h : hits)
    items.emplace_back(boost::json::object{{key, h.path},
                                           {"start_line", h.start_line},
                                           {"end_line", h.end_line},
                                           {"score", h.score},
                                           {"text", h.text}});
  return items;
}

void print_json(std::ostream& out, const project_index& where, const query_flags& flags,
                const std::vector<retrieval::hit>& hits, const std::string& ranking,
                const std::vector<retrieval::hit>& pages) {
  boost::json::object doc{{"root", where.root.string()},
                          {"query", flags.text},
                          {"ranking", ranking},
                          {"hits", json_hits(hits, "path")}};
  if (!flags.fetch.empty())
    doc["pages"] = json_hits(pages, "url");
  app::print_json(out, doc);
}

// One line per hit, "SOURCE:first-last  score", and a glance at its text. Three significant
// digits: a common word's BM25 weight is floored at 1e-6 and fused ranks differ in their
// fourth decimal, where "%.3f" shows 0.000 or the same number for every hit.
void print_hits(std::ostream& out, const std::vector<retrieval::hit>& hits) {
  for (const auto& h : hits) {
    char score[32];
    std::snprintf(score, sizeof score, "%.3g", h.score);
    out << h.path << ":" << h.start_line << "-" << h.end_line << "  " << score << "\n"
        << preview(h.text, preview_lines);
  }
}

// The chunks of the pages `flags.fetch` names that best match the text (BM25 over the pages'
// own chunks, as `et run --fetch` ranks them for its task); nullopt when a page could not be
// fetched (said, ctx.exit set).
std::optional<std::vector<retrieval::hit>> ranked_pages(context& ctx, const config::settings& s,
                                                        const query_flags& flags) {
  auto pages = fetch_pages(ctx, s, flags.fetch, "context query");
  if (!pages)
    return std::nullopt;
  return retrieval::rank_pages(*pages, flags.text, flags.k);
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
  auto pages = ranked_pages(ctx, *s, flags);
  if (!pages)
    return ctx.exit;
  std::string ranking;
  std::string why;
  auto hits = ranked_query(ctx, *s, **db, flags.text, flags.k, "et context query", ranking, why);
  if (!hits) {
    ctx.err << "et context query: " << hits.error().message << "\n";
    return exit_failed;
  }
  if (flags.json) {
    print_json(ctx.out, *where, flags, *hits, ranking, *pages);
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
  print_hits(ctx.out, *hits);
  if (flags.fetch.empty())
    return exit_ok;
  ctx.err << "pages: BM25 over the fetched pages' own chunks (`et run --fetch` gives the mayor "
             "the best "
          << retrieval::web_hits << ", up to " << retrieval::max_web_bytes / 1024 << " KiB)\n";
  if (pages->empty())
    ctx.out << "no text in the fetched pages\n";
  print_hits(ctx.out, *pages);
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
  query->add_option("-k", flags->k, "how many hits (1-100, default 8)")
      ->transform(number_check("a whole number of hits, 1 to 100", 1, 100, true));
  query->add_option("--root", flags->root,
                    "the indexed project folder (default: the current project)");
  query->add_flag("--json", flags->json, "print one JSON document");
  query->add_option("--fetch", flags->fetch,
                    "also rank the chunks of this web page for TEXT (repeatable; the limits and "
                    "address checks of `et run --fetch`)");
  query->callback([&ctx, flags] { ctx.exit = run_query(ctx, *flags); });
}

} // namespace et::app
