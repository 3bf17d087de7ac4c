#pragma once
/// A scratch project folder for the et/context suites: files written by relative path, and
/// git run in it when a test wants a work tree.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "caf/test/unit_test.hpp"

#include "et/session/process.hpp"

namespace et::test {

/// A fresh folder /tmp/et-context-XXXXXX holding `project/` (the files) and `state/`.
struct project_dir {
  std::filesystem::path dir;     ///< the scratch folder
  std::filesystem::path project; ///< the project root, canonical
  std::filesystem::path state;   ///< a state dir for indexes

  project_dir() {
    auto pattern = (std::filesystem::temp_directory_path() / "et-context-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      CAF_FAIL("cannot make a temporary folder");
    dir = std::filesystem::canonical(pattern);
    project = dir / "project";
    state = dir / "state";
    std::filesystem::create_directories(project);
  }
  ~project_dir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  project_dir(const project_dir&) = delete;
  project_dir& operator=(const project_dir&) = delete;

  /// Writes `text` to project/`relative`, folders included.
  void write(const std::string& relative, const std::string& text) const {
    auto file = project / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream{file, std::ios::binary | std::ios::trunc} << text;
  }

  /// What project/`relative` holds ("" when it cannot be read).
  std::string read(const std::string& relative) const {
    std::ifstream in{project / relative, std::ios::binary};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  }

  /// Removes project/`relative`.
  void remove(const std::string& relative) const { std::filesystem::remove(project / relative); }

  /// Runs `git args...` in the project; fails the test when git fails.
  void git(std::vector<std::string> args) const {
    args.insert(args.begin(), {"git", "-C", project.string()});
    auto r = session::run_process(args);
    CAF_REQUIRE(r);
    CAF_REQUIRE_EQUAL(r->exit_code, 0);
  }
};

} // namespace et::test
