# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this
# arch.sh: sourced by build.sh, smoke.sh, test.sh and static.sh. Maps our architecture
# name to Debian's name, the GNU triple, the qemu-user binary and the toolchain file.
# Sets root (the checkout), sysroot and build_dir. A self-contained build (NAME-static,
# cross/static.sh) also sets static_prefix (its own CAF) and bare (a root file system
# with only the C library, cross/bare.sh, that smoke.sh runs it in); amd64-static is
# native: no toolchain file, no sysroot, no qemu.
case "${1:-}" in
  arm64)   deb_arch=arm64   triple=aarch64-linux-gnu     qemu=qemu-aarch64-static toolchain=aarch64.cmake ;;
  ppc64le) deb_arch=ppc64el triple=powerpc64le-linux-gnu qemu=qemu-ppc64le-static toolchain=ppc64le.cmake ;;
  amd64-static) deb_arch=amd64 triple=x86_64-linux-gnu qemu='' toolchain='' ;;
  *) echo "usage: $0 arm64|ppc64le|amd64-static (riscv64 and ppc64: see cross/README.md)" >&2; exit 2 ;;
esac
arch=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sysroot=$root/build-cross/sysroot-$arch
build_dir=$root/build-cross/$arch
static_prefix='' bare=''
if [[ $arch == *-static ]]; then
  static_prefix=$root/build-cross/static-${arch%-static}/prefix
  bare=$root/build-cross/bare-$deb_arch
fi
