#include "et/app/context_index.hpp"

#include <ostream>

#include "et/config/paths.hpp"
#include "et/context/files.hpp"
#include "et/context/index.hpp"

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

} // namespace et::app
