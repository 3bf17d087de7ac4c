#pragma once
/// Build identity, stamped from `git describe` at build time.

#include <string_view>

namespace et {

/// `git describe --tags --always --dirty` of the source tree, e.g. "v0.1.0-3-gabc".
std::string_view version_describe();
/// The short commit hash the binary was built from.
std::string_view version_commit();
/// CMAKE_BUILD_TYPE, e.g. "RelWithDebInfo".
std::string_view version_build_type();

} // namespace et
