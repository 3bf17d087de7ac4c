# toolchain-common.cmake: the part every cross target shares. The per-target
# file (aarch64.cmake, ppc64le.cmake) sets ET_CROSS_TRIPLE (the GNU triple of
# Debian's cross compiler), ET_CROSS_ARCH (our name, used for the sysroot
# folder), ET_CROSS_QEMU (the qemu-user binary) and CMAKE_SYSTEM_PROCESSOR,
# then includes this file.
#
# Dependencies come from a Debian 12 sysroot of the target architecture
# (cross/build.sh makes it with debootstrap), never from the host: a multiarch
# install on the host breaks on version skew between architectures.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_CXX_COMPILER "${ET_CROSS_TRIPLE}-g++")
set(CMAKE_C_COMPILER "${ET_CROSS_TRIPLE}-gcc")

# The sysroot: -DET_SYSROOT=... or build-cross/sysroot-ARCH in the checkout.
if(NOT ET_SYSROOT)
  set(ET_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../build-cross/sysroot-${ET_CROSS_ARCH}")
endif()
get_filename_component(ET_SYSROOT "${ET_SYSROOT}" ABSOLUTE)
if(NOT EXISTS "${ET_SYSROOT}/usr")
  message(FATAL_ERROR "no sysroot at ${ET_SYSROOT}: run cross/build.sh ${ET_CROSS_ARCH}")
endif()
# try_compile projects re-read this file; hand them the same sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ET_SYSROOT)

# --sysroot makes the compiler search SYSROOT/usr/include[/TRIPLE] and the
# linker SYSROOT/{lib,usr/lib}/TRIPLE; Debian's cross g++ keeps its own
# libstdc++ and libc headers first (the same 12.2 / 2.36 versions).
set(CMAKE_SYSROOT "${ET_SYSROOT}")
# Debian's multiarch folder, so find_package looks in usr/lib/TRIPLE/cmake.
set(CMAKE_LIBRARY_ARCHITECTURE "${ET_CROSS_TRIPLE}")

# Libraries, headers and CMake packages (Boost, yaml-cpp) only from the
# sysroot; programs (git for the version stamp, ccache) from the host.
set(CMAKE_FIND_ROOT_PATH "${ET_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Shared libraries the sysroot's libraries need in turn (libcaf_io needs
# libcaf_core, libssl needs libcrypto): the linker resolves them here.
string(CONCAT _et_rpath_link
  "-Wl,-rpath-link,${ET_SYSROOT}/usr/lib/${ET_CROSS_TRIPLE}"
  " -Wl,-rpath-link,${ET_SYSROOT}/lib/${ET_CROSS_TRIPLE}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_et_rpath_link}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${_et_rpath_link}")

# ctest runs the test programs under qemu-user (cross/test.sh), loading only
# the C library, from the target's bare root (cross/bare.sh): the suites are
# linked like the self-contained `et`.
set(ET_CROSS_QEMU_ROOT "${CMAKE_CURRENT_LIST_DIR}/../build-cross/bare-${ET_CROSS_ARCH}")
set(CMAKE_CROSSCOMPILING_EMULATOR "${ET_CROSS_QEMU};-L;${ET_CROSS_QEMU_ROOT}")

# FindOpenSSL and friends may ask pkg-config: point it at the sysroot's .pc
# files, never the host's.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${ET_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
    "${ET_SYSROOT}/usr/lib/${ET_CROSS_TRIPLE}/pkgconfig:${ET_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
