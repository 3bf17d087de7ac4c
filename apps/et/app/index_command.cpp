#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <memory>
#include <ostream>

#include "et/app/commands.hpp"
#include "et/app/context_embed.hpp"
#include "et/app/context_index.hpp"
#include "et/app/context_qdrant.hpp"
#include "et/context/index.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace {

namespace retrieval = ::et::context;

struct index_flags {
  std::vector<std::string> paths;
  bool status = false;
};

std::string human_bytes(uintmax_t n) {
  char buf[32];
  if (n < 1024)
    std::snprintf(buf, sizeof buf, "%ju B", n);
  else if (n < 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024);
  else
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1024 * 1024));
  return buf;
}

std::string when(int64_t unix_ms) {
  if (unix_ms <= 0)
    return "never";
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto age = std::chrono::milliseconds{now > unix_ms ? now - unix_ms : 0};
  return std::string{buf} + " (" + format_elapsed(age) + " ago)";
}

// The config's defaults are the index's: an index cut before the limits were recorded was
// cut with the latter, and must not look cut with other limits.
static_assert(config::index_settings{}.max_file_bytes == retrieval::max_file_bytes);
static_assert(config::index_settings{}.chunk_lines == retrieval::chunk_limits{}.max_lines);
static_assert(config::index_settings{}.chunk_bytes == retrieval::chunk_limits{}.max_bytes);

// `context.index` as the index takes it.
retrieval::index_limits limits_of(const config::index_settings& c) {
  retrieval::index_limits out;
  out.max_file_bytes = static_cast<uintmax_t>(c.max_file_bytes);
  out.chunks.max_lines = static_cast<size_t>(c.chunk_lines);
  out.chunks.max_bytes = static_cast<size_t>(c.chunk_bytes);
  return out;
}

int show_status(context& ctx, const config::settings& settings, const project_index& where) {
  ctx.out << "root:    " << where.root.string() << "\n";
  if (!std::filesystem::exists(where.file)) {
    ctx.out << "index:   none yet (run `et index " << where.root.string() << "`)\n";
    return exit_ok;
  }
  auto db = retrieval::index_db::open(where.file);
  if (!db) {
    ctx.err << "et index: " << db.error().message << "\n";
    return exit_failed;
  }
  auto s = (*db)->status();
  if (!s) {
    ctx.err << "et index: " << s.error().message << "\n";
    return exit_failed;
  }
  ctx.out << "index:   " << where.file.string() << "\n"
          << "files:   " << s->files << "\n"
          << "chunks:  " << s->chunks << "\n"
          << "size:    " << human_bytes(s->bytes_on_disk) << "\n"
          << "indexed: " << when(s->last_indexed_ms) << "\n"
          << "limits:  files up to " << s->max_file_bytes << " B, chunks of " << s->chunking;
  auto wanted = limits_of(settings.context.index);
  if (s->files > 0 && wanted.chunks.text() != s->chunking)
    ctx.out << " (context.index now says chunks of " << wanted.chunks.text()
            << ": the next `et index` cuts every file again)";
  else if (s->files > 0 && wanted.max_file_bytes != s->max_file_bytes)
    ctx.out << " (context.index now says files up to " << wanted.max_file_bytes
            << " B: the next `et index` applies it)";
  ctx.out << "\n";
  bool remote = settings.context.qdrant.enabled();
  auto identity = embed_identity(settings);
  bool hybrid = false;
  if (remote) {
    ctx.out << "vectors: " << s->pushed << " of " << s->chunks << " chunks in Qdrant"
            << (s->remote_target.empty() ? "" : ", " + s->remote_target) << "\n";
    hybrid = s->pushed > 0 && s->remote_target == qdrant_target(settings);
  } else if (s->embedded == 0) {
    ctx.out << "vectors: none\n";
  } else {
    ctx.out << "vectors: " << s->embedded << " of " << s->chunks << " chunks, " << s->embed_model
            << ", dimension " << s->dimension << "\n";
  }
  if (!remote)
    hybrid = !identity.empty() && s->embedded > 0 && s->embed_model == identity;
  ctx.out << "ranking: "
          << (hybrid ? remote ? "hybrid (BM25 and Qdrant cosine, reciprocal rank fusion)"
                              : "hybrid (BM25 and cosine, reciprocal rank fusion)"
                     : "bm25")
          << "\n";
  return exit_ok;
}

// Embeds what has no vector yet when context.embed is set; one stderr line says what it did.
int embed(context& ctx, const config::settings& settings, retrieval::index_db& db) {
  if (settings.context.embed.empty())
    return exit_ok;
  embed_totals done;
  push_totals pushed;
  bool remote = settings.context.qdrant.enabled();
  auto r = remote ? push_to_qdrant(ctx, settings, db, done, pushed)
                  : embed_index(ctx, settings, db, done);
  char usd[32];
  std::snprintf(usd, sizeof usd, "$%.6f", done.usd);
  ctx.err << "et index: embedded " << done.chunks << " chunks with " << settings.context.embed;
  if (!done.answered_by.empty() && done.answered_by != settings.context.embed)
    ctx.err << " (answered by " << done.answered_by << ")";
  if (done.dimension)
    ctx.err << ", dimension " << done.dimension;
  ctx.err << " in " << done.calls << " calls: " << done.tokens << " tokens, " << usd
          << (done.unpriced ? " (some calls unpriced)" : "")
          << (done.reset ? "; the previous vectors (another model or dimension) were dropped" : "")
          << "\n";
  if (remote)
    ctx.err << "et index: qdrant " << qdrant_target(settings) << ": " << pushed.upserted
            << " points upserted, stale points of " << pushed.files_cleared << " files deleted"
            << (pushed.started_over.empty() ? "" : "; " + pushed.started_over) << "\n";
  if (!r) {
    ctx.err << "et index: embedding stopped: " << r.error().message
            << " (the vectors stored so far are kept; run `et index` again)\n";
    return exit_failed;
  }
  return exit_ok;
}

int update(context& ctx, const config::settings& settings, const project_index& where) {
  auto db = retrieval::index_db::open(where.file);
  if (!db) {
    ctx.err << "et index: " << db.error().message << "\n";
    return exit_failed;
  }
  auto stats = (*db)->update(where.root, limits_of(settings.context.index));
  if (!stats) {
    ctx.err << "et index: " << stats.error().message << "\n";
    return exit_failed;
  }
  auto s = (*db)->status();
  ctx.out << where.root.string() << ": " << stats->indexed << " indexed, " << stats->unchanged
          << " unchanged, " << stats->skipped << " skipped, " << stats->removed << " removed; "
          << stats->chunks << " chunks written";
  if (s)
    ctx.out << "; the index holds " << s->files << " files, " << s->chunks << " chunks";
  ctx.out << "\n";
  if (stats->recut)
    ctx.err << "et index: the chunk limits (context.index) changed since the last update: every "
               "file was read and cut again"
            << (settings.context.embed.empty() ? "" : ", and its chunks are embedded again")
            << "\n";
  return embed(ctx, settings, **db);
}

int run_index(context& ctx, const index_flags& flags) {
  auto s = load_settings(ctx);
  if (!s)
    return exit_usage;
  auto paths = flags.paths;
  if (paths.empty())
    paths.emplace_back();
  std::vector<project_index> projects;
  for (const auto& p : paths) { // every path is checked before any is indexed
    auto where = locate_index(ctx, *s, p, "index");
    if (!where)
      return exit_usage;
    projects.push_back(std::move(*where));
  }
  int code = exit_ok;
  for (const auto& where : projects)
    if (auto c = flags.status ? show_status(ctx, *s, where) : update(ctx, *s, where); c != exit_ok)
      code = c;
  return code;
}

} // namespace

void add_index_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand(
      "index", "index a project's files for retrieval (SQLite FTS5, BM25; in the state dir)");
  add_config_flag(*cmd, ctx);
  auto flags = std::make_shared<index_flags>();
  cmd->add_option("path", flags->paths,
                  "project folders (default: the current project: the git top level, else the "
                  "current folder)");
  cmd->add_flag("--status", flags->status,
                "show files, chunks, size, age and limits of the index instead of updating it");
  cmd->callback([&ctx, flags] { ctx.exit = run_index(ctx, *flags); });
}

} // namespace et::app
