#include "et/util/allocator.hpp"

#include <cstdlib>

#ifdef ET_MIMALLOC
#include <mimalloc.h>
#endif

namespace et {

std::string allocator_in_use() {
#ifdef ET_MIMALLOC
  // mimalloc serves malloc only if its symbols come before libc's in the process's link order;
  // a block from calloc inside mimalloc's heap shows that they did (calloc: GCC 12 warns when
  // uninitialized memory goes to a const pointer parameter).
  void* probe = std::calloc(1, 64);
  bool ours = mi_is_in_heap_region(probe);
  std::free(probe);
  if (ours) {
    int v = mi_version(); // e.g. 209 for 2.0.9
    return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v % 100 / 10) + "."
           + std::to_string(v % 10);
  }
  return "a malloc other than the linked mimalloc";
#else
  return "system malloc";
#endif
}

} // namespace et
