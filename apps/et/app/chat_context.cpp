#include "et/app/chat_context.hpp"

#include <ostream>

#include "et/app/context_index.hpp"
#include "et/context/index.hpp"
#include "et/context/prompt.hpp"

namespace et::app {

namespace fs = std::filesystem;

chat_context::chat_context(std::unique_ptr<et::context::index_db> db, fs::path root)
    : db_(std::move(db)), root_(std::move(root)) {}

chat_context::~chat_context() = default;

std::optional<std::shared_ptr<chat_context>>
chat_context::open(context& ctx, const config::settings& s, const std::string& flag) {
  if (flag == "off")
    return std::shared_ptr<chat_context>{};
  auto where = locate_index(ctx, s, flag, "chat", "--context");
  if (!where)
    return std::nullopt;
  bool chosen = !flag.empty();
  if (!fs::exists(where->file)) {
    if (!chosen)
      return std::shared_ptr<chat_context>{}; // nothing indexed here: a chat without context
    ctx.err << "et chat: --context: no index for " << where->root.string() << " (run `et index "
            << where->root.string() << "` first)\n";
    ctx.exit = exit_failed;
    return std::nullopt;
  }
  auto db = et::context::index_db::open(where->file);
  if (!db) {
    if (!chosen) {
      ctx.err << "et chat: warning: no project context: " << db.error().message << "\n";
      return std::shared_ptr<chat_context>{};
    }
    ctx.err << "et chat: --context: " << db.error().message << "\n";
    ctx.exit = exit_failed;
    return std::nullopt;
  }
  return std::shared_ptr<chat_context>{new chat_context{std::move(*db), where->root}};
}

std::string chat_context::prompt_for(context& ctx, const std::string& question) const {
  auto hits = db_->query(question, et::context::context_hits);
  if (!hits) {
    ctx.err << "et chat: warning: no project context for this question: " << hits.error().message
            << "\n";
    return question;
  }
  auto block = et::context::context_block(*hits);
  if (block.empty())
    return question;
  ctx.err << "context: " << hits->size() << " excerpts from " << root_.string() << ":";
  for (const auto& h : *hits)
    ctx.err << " " << et::context::source_of(h);
  ctx.err << "\n";
  return block + "\nQuestion:\n" + question;
}

} // namespace et::app
