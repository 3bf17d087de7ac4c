#pragma once
/// Paths a worker may not write because a file there makes something run on its own when an
/// ordinary tool opens the directory: a VCS command, an editor or IDE, a shell entering it,
/// a commit. A model that could write `.git/config` with `core.fsmonitor`, `.git/hooks/*`,
/// `.envrc` or `.vscode/tasks.json` would run commands on the user's machine the next time
/// they type `git status` or open the folder, without running anything et produced.
///
/// Refused when any path component (at any depth, since tools look in subfolders and walk up
/// to parents) is, compared case-insensitively after removing what case-insensitive or
/// normalising file systems ignore (trailing dots and spaces on Windows, the code points HFS+
/// drops such as U+200C):
///
/// - version control metadata: `.git` (and its 8.3 short name `git~1`), `.hg`, `.svn`,
///   `.bzr`, `_darcs`, `.jj`, `.pijul`: hooks, fsmonitor, filters, aliases, pagers;
/// - shell environments: `.envrc` and `.direnv` (direnv runs .envrc on `cd`);
/// - editors and IDEs: `.vscode` (tasks that run on folder open, settings naming binaries),
///   `.idea` (JetBrains run configurations and startup tasks), `.exrc`, `.vimrc`, `.nvimrc`,
///   `.nvim.lua` (Vim/Neovim `exrc`), `.dir-locals.el`, `.dir-locals-2.el` (Emacs `eval`);
/// - commit hooks that the repository's own config runs: `.husky` (husky points
///   core.hooksPath there), `.pre-commit-config.yaml` (its hooks are commands that run on the
///   next `git commit` once pre-commit is installed), Lefthook's `lefthook.yml`,
///   `lefthook-local.yml` (each also as .yaml and with a leading dot, and so under `.config/`)
///   and Overcommit's `.overcommit.yml`.
///
/// Allowed on purpose: `.gitignore`, `.gitattributes` (a filter or diff driver only runs
/// when the user's own git config defines it) and `.gitmodules` (`update = !cmd` is ignored
/// there since git 2.24), `.github/workflows` and other CI files (they run remotely, after a
/// push the user reviews), `.devcontainer` (the editor asks before building it), `.env`
/// (read by the application, not by a tool on open), and source and build files in general:
/// running those is what the user asked for.

#include <optional>
#include <string>
#include <string_view>

namespace et::workspace {

/// The reason `rel` (a normalised relative path) is refused, or nullopt when it may be
/// written, e.g. "runs on its own: .git/ (version control metadata)".
std::optional<std::string> runs_on_its_own(std::string_view rel);

} // namespace et::workspace
