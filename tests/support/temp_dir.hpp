#pragma once
/// The one scratch folder helper of every suite: a fresh private folder, removed with
/// everything in it at the end. Header only; fails the current test when the folder cannot
/// be made, so include it after caf/test/unit_test.hpp (or dsl.hpp) like any test header.

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "caf/test/unit_test.hpp"

namespace et::test {

/// A fresh, empty folder `parent`/et-`name`-XXXXXX (mkdtemp: a unique name, so suites run in
/// parallel; mode 0700), removed with everything in it when the object goes. Fixtures derive
/// from it or hold one.
struct scratch_dir {
  std::filesystem::path dir; ///< the folder, existing

  /// Makes the folder under `parent` (the system temp folder unless given).
  explicit scratch_dir(const std::string& name, const std::filesystem::path& parent =
                                                    std::filesystem::temp_directory_path()) {
    auto pattern = (parent / ("et-" + name + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
      CAF_FAIL("cannot make a temporary folder for " << name);
    dir = pattern;
  }

  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
};

} // namespace et::test
