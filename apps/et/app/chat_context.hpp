#pragma once
/// `et chat --context PATH|off`: each question goes to the role with the project index's
/// best chunks for it, under their sources; the conversation's history keeps the question
/// only, so excerpts do not pile up turn after turn.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "et/app/commands.hpp"

namespace et::context {
class index_db;
} // namespace et::context

namespace et::app {

/// The index a chat retrieves from.
class chat_context {
public:
  /// The index `flag` names: "off" none; "" the current project's index when it has one
  /// (none otherwise, or a warning when it cannot be opened); a folder its index, which
  /// must exist. nullopt when the chat must not start (the error printed, ctx.exit set).
  static std::optional<std::shared_ptr<chat_context>> open(context& ctx, const config::settings& s,
                                                           const std::string& flag);

  ~chat_context();
  chat_context(const chat_context&) = delete;
  chat_context& operator=(const chat_context&) = delete;

  /// `question` with the context block for it in front, and the sources listed on stderr;
  /// `question` unchanged when nothing matches (or retrieval fails: a warning).
  std::string prompt_for(context& ctx, const std::string& question) const;

private:
  chat_context(std::unique_ptr<et::context::index_db> db, std::filesystem::path root);
  std::unique_ptr<et::context::index_db> db_;
  std::filesystem::path root_;
};

} // namespace et::app
