# ppc64.cmake: 64-bit big-endian POWER (ELFv1), not a Debian 12
# release architecture: the sysroot holds only what cross/libraries.sh
# builds from Debian's source packages (usr/local); glibc comes with
# Debian's cross g++. See toolchain-common.cmake.
set(ET_CROSS_TRIPLE powerpc64-linux-gnu)
set(ET_CROSS_ARCH ppc64)
set(CMAKE_SYSTEM_PROCESSOR ppc64)
set(ET_CROSS_QEMU qemu-ppc64-static)
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake")
