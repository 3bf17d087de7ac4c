# aarch64.cmake: 64-bit Arm (Debian arm64). See toolchain-common.cmake.
set(ET_CROSS_TRIPLE aarch64-linux-gnu)
set(ET_CROSS_ARCH arm64)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(ET_CROSS_QEMU qemu-aarch64-static)
# Self-contained: tests under qemu load only glibc, from the bare root.
set(ET_CROSS_QEMU_ROOT "${CMAKE_CURRENT_LIST_DIR}/../build-cross/bare-arm64")
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake")
