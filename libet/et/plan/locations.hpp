#pragma once
/// Which of a project's files a verifier's output (compiler, linter, test
/// runner) points at, so that failures go back to the workers who own them.
///
/// Locations are recognised in the forms toolchains print: `file:line`, `file:line:col`
/// (GCC, Clang, Go, Java, pytest, ESLint), `--> src/main.rs:3:5` (rustc), `at x.js:3:5` and
/// `at f (/abs/x.js:3:5)` (Node), `File "x.py", line 3` (Python), `x.cpp(12): error` and
/// `x.ts(3,5): error` (MSVC, tsc), `x.py::test_name` (pytest ids). ANSI colour codes are
/// ignored, backslashes read as slashes, and a leading "./" or "../" is dropped.

#include <string>
#include <string_view>
#include <vector>

namespace et::plan {

/// The entries of `known_paths` that `verify_output` names, in order of first mention,
/// each once. A mention matches a known path exactly, as a unique suffix on a '/' boundary
/// (output "b/c.cpp" for known "a/b/c.cpp"; ambiguous suffixes match nothing), or by ending
/// in it (output "/tmp/out/src/a.cpp" for known "src/a.cpp"; the longest such wins).
std::vector<std::string> files_in_output(std::string_view verify_output,
                                         const std::vector<std::string>& known_paths);

} // namespace et::plan
