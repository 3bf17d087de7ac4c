# riscv64.cmake: 64-bit RISC-V (RV64GC, lp64d), not a Debian 12
# release architecture: the sysroot holds only what cross/libraries.sh
# builds from Debian's source packages (usr/local); glibc comes with
# Debian's cross g++. See toolchain-common.cmake.
set(ET_CROSS_TRIPLE riscv64-linux-gnu)
set(ET_CROSS_ARCH riscv64)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(ET_CROSS_QEMU qemu-riscv64-static)
# GCC 12 does not inline atomics narrower than 32 bits on RISC-V (CAF's
# node_id uses them): they come from libatomic, linked static so that et
# still needs nothing but glibc.
set(CMAKE_CXX_STANDARD_LIBRARIES_INIT "-Wl,-Bstatic -latomic -Wl,-Bdynamic")
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake")
