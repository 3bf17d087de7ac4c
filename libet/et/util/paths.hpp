#pragma once
/// Comparing file system paths as places: which holds which, and where one really is.

#include <filesystem>

namespace et {

/// Whether `inner` is `outer` or lies below it, compared lexically after normalising both
/// ("/a/" holds "/a/b"; a relative path never lies within an absolute one).
bool lies_within(const std::filesystem::path& inner, const std::filesystem::path& outer);

/// `p` made absolute with its links resolved as far as it exists (where it really is); only
/// normalised when that cannot be found out.
std::filesystem::path resolved_path(const std::filesystem::path& p);

} // namespace et
