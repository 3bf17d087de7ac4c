# aarch64.cmake: 64-bit Arm (Debian arm64). See toolchain-common.cmake.
set(ET_CROSS_TRIPLE aarch64-linux-gnu)
set(ET_CROSS_ARCH arm64)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(ET_CROSS_QEMU qemu-aarch64-static)
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake")
