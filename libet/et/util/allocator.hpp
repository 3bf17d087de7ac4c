#pragma once
/// Which malloc this process runs on, for `et version` and the benchmarks' headers.

#include <string>

namespace et {

/// "mimalloc 2.0.9" when et was built with mimalloc (ET_MIMALLOC) and malloc really goes to it,
/// "system malloc" otherwise. Checked at run time: a link order that left glibc's malloc in
/// front would say so instead of claiming mimalloc.
std::string allocator_in_use();

} // namespace et
