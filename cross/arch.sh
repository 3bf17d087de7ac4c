# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this
# arch.sh ARCH: sourced by the cross scripts. Maps our architecture name to
# Debian's name, the GNU triple, the qemu-user binary, the toolchain file and
# the path of the target's program loader. Every `et` it names is
# self-contained (static except glibc):
# - arm64, ppc64le: Debian 12's static archives from a Debian sysroot
#   (cross/sysroot.sh, sysroot_from=debian) plus CAF built static from
#   Debian's source package into SYSROOT/usr/local (cross/caf.sh);
# - riscv64, ppc64 (not Debian 12 release architectures): every library built
#   static from Debian's source packages into SYSROOT/usr/local
#   (cross/libraries.sh, sysroot_from=source);
# - amd64-static: native (no toolchain file, sysroot or qemu), CAF in
#   build-cross/static-amd64/prefix.
# Sets root (the checkout), sysroot, sysroot_from, build_dir, static_prefix
# (where the static CAF goes) and bare (a root file system with only the C
# library, cross/bare.sh, that smoke.sh runs `et` in).
case "${1:-}" in
  arm64)   deb_arch=arm64   triple=aarch64-linux-gnu     qemu=qemu-aarch64-static toolchain=aarch64.cmake loader=lib/ld-linux-aarch64.so.1 ;;
  ppc64le) deb_arch=ppc64el triple=powerpc64le-linux-gnu qemu=qemu-ppc64le-static toolchain=ppc64le.cmake loader=lib64/ld64.so.2 ;;
  riscv64) deb_arch=riscv64 triple=riscv64-linux-gnu     qemu=qemu-riscv64-static toolchain=riscv64.cmake loader=lib/ld-linux-riscv64-lp64d.so.1 ;;
  ppc64)   deb_arch=ppc64   triple=powerpc64-linux-gnu   qemu=qemu-ppc64-static   toolchain=ppc64.cmake   loader=lib64/ld64.so.1 ;;
  amd64-static) deb_arch=amd64 triple=x86_64-linux-gnu qemu='' toolchain='' loader=lib64/ld-linux-x86-64.so.2 ;;
  *) echo "usage: $0 arm64|ppc64le|riscv64|ppc64|amd64-static" >&2; exit 2 ;;
esac
arch=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sysroot=$root/build-cross/sysroot-$arch
build_dir=$root/build-cross/$arch
bare=$root/build-cross/bare-$arch
sysroot_from=debian static_prefix=$sysroot/usr/local
case $arch in
  riscv64 | ppc64) sysroot_from=source ;;
  amd64-static) sysroot_from='' sysroot='' static_prefix=$root/build-cross/static-amd64/prefix ;;
esac
