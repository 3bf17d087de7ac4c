#pragma once
/// Internal to the loader: limits on what a configuration file may make et
/// read, checked before anything is built from it. YAML aliases repeat a
/// subtree without repeating its text, so a small file can stand for a tree
/// of billions of nodes ("billion laughs"); yaml-cpp shares the aliased nodes,
/// but every walk over the tree visits each repetition.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "et/config/diagnostic.hpp"

namespace et::config::detail {

/// The largest configuration file read, in bytes.
inline constexpr size_t max_file_bytes = size_t{4} << 20;

/// The most nodes the first document may have once every alias is expanded.
inline constexpr size_t max_expanded_nodes = 100000;

/// The most scalar text the first document may have once every alias is
/// expanded: a long string aliased many times is copied each time it is read.
inline constexpr size_t max_expanded_bytes = size_t{16} << 20;

/// The deepest nesting of mappings and sequences.
inline constexpr size_t max_depth = 64;

/// Streams the first YAML document of `yaml` through yaml-cpp's event parser
/// (no tree is built) and returns the first limit it crosses, located at the
/// node where it happened; nullopt when it stays within them. Syntax errors
/// are left to the loader.
std::optional<diagnostic> check_bounds(std::string_view yaml, const std::string& file);

} // namespace et::config::detail
