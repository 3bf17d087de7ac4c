# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this
# arch.sh: sourced by build.sh, smoke.sh and test.sh. Maps our architecture name to
# Debian's name, the GNU triple, the qemu-user binary and the toolchain file.
# Sets root (the checkout), sysroot and build_dir.
case "${1:-}" in
  arm64)   deb_arch=arm64   triple=aarch64-linux-gnu     qemu=qemu-aarch64-static toolchain=aarch64.cmake ;;
  ppc64le) deb_arch=ppc64el triple=powerpc64le-linux-gnu qemu=qemu-ppc64le-static toolchain=ppc64le.cmake ;;
  *) echo "usage: $0 arm64|ppc64le (riscv64 and ppc64: see cross/README.md)" >&2; exit 2 ;;
esac
arch=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sysroot=$root/build-cross/sysroot-$arch
build_dir=$root/build-cross/$arch
