#pragma once
/// What `et index` and `et context` share: which project a command means and where its
/// retrieval index lives.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "et/app/commands.hpp"
#include "et/context/prompt.hpp"

namespace et::app {

/// A project and its index database.
struct project_index {
  std::filesystem::path root; ///< canonical project root
  std::filesystem::path file; ///< its index in the state dir (may not exist yet)
};

/// The project `path` names ("" for the current folder's project: its git top level, else
/// the folder) and its index file under `s`'s state dir. Prints "et COMMAND: FLAG: not a
/// folder: PATH" (FLAG: the option that gave PATH, "" for a positional) and sets exit_usage
/// when it is not a folder.
std::optional<project_index> locate_index(context& ctx, const config::settings& s,
                                          const std::string& path, const char* command,
                                          const char* flag = "");

/// What a run gets from its project's index: the block for the mayor's plan, and the
/// retrieval for each subtask's prompt (null without an index).
struct run_context {
  std::string task_block; ///< context_block for the task ("" = none)
  /// A subtask's excerpts for its text and, when embed_subtasks is set, its embedding.
  et::context::excerpt_source for_subtasks;
  /// The embedding model of the index's vectors, when the task ranked hybrid: subtasks
  /// then rank hybrid too ("" = BM25 alone).
  std::string embed_subtasks;
  std::vector<std::string> embed_fallbacks; ///< its fallbacks
  std::string embed_model;                  ///< the model id its vectors come from
};

/// The run context from the index `flag` (--context) names: "off" none; "" the current
/// project's index when it has one (a failing index is a warning: the run goes on without);
/// a folder its index, which must exist. Budgets follow the context windows of the
/// `supervisor` role's models (the task block) and the `worker` role's (each subtask's).
/// nullopt when the run must not start (the error printed, ctx.exit set).
std::optional<run_context> retrieve_for_run(context& ctx, const config::settings& s,
                                            const std::string& flag, const std::string& task,
                                            const std::string& supervisor,
                                            const std::string& worker);

} // namespace et::app
