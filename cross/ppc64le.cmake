# ppc64le.cmake: 64-bit little-endian POWER (Debian ppc64el). See
# toolchain-common.cmake.
set(ET_CROSS_TRIPLE powerpc64le-linux-gnu)
set(ET_CROSS_ARCH ppc64le)
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(ET_CROSS_QEMU qemu-ppc64le-static)
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake")
