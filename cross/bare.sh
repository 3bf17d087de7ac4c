#!/usr/bin/env bash
# bare.sh ARCH: a root file system (build-cross/bare-ARCH) holding only Debian
# 12's C library (glibc's shared objects, ld.so, its NSS modules) plus a
# /bin/sh, which `et run --verify` starts its command with. No libstdc++, CAF,
# Boost, yaml-cpp, OpenSSL or SQLite: a self-contained `et` must run in it.
# - amd64-static: Debian's libc6 and dash, as a Debian system has them.
# - arm64, ppc64le, riscv64, ppc64: the C library of Debian's cross toolchain
#   (libc6-DEB_ARCH-cross, glibc 2.36; riscv64 and ppc64 have no libc6 in
#   Debian 12) moved to where the target's loader looks (/lib/TRIPLE, and the
#   loader at the path the ABI names), and busybox-static's amd64 shell as
#   /bin/sh: et runs under qemu-user, which starts the programs et starts as
#   host programs (no binfmt_misc here), so the shell must be the host's.
# The .debs come from the system's apt sources (`apt-get download`, checked
# against the signed package index); nothing is installed on the host.
set -euo pipefail
# shellcheck source=cross/arch.sh
source "$(dirname "$0")/arch.sh"
dir=$bare
[[ -e $dir/.et-bare-complete ]] && exit 0
rm -rf "$dir" "$dir.debs"
mkdir -p "$dir" "$dir.debs"
download() { (cd "$dir.debs" && apt-get -q -o APT::Sandbox::User="$(id -un)" download "$@" >/dev/null); }
case $arch in
  arm64 | ppc64le | riscv64 | ppc64)
    download "libc6-$deb_arch-cross" busybox-static
    dpkg-deb -x "$dir.debs"/libc6-*-cross_*.deb "$dir.debs/libc"
    mkdir -p "$dir/lib/$triple" "$dir/bin" "$(dirname "$dir/$loader")"
    cp -a "$dir.debs/libc/usr/$triple/lib/." "$dir/lib/$triple/"
    ln -sfn "$(realpath -s --relative-to="$(dirname "$dir/$loader")" \
      "$dir/lib/$triple/$(basename "$loader")")" "$dir/$loader"
    dpkg-deb -x "$dir.debs"/busybox-static_*.deb "$dir.debs/busybox"
    cp "$dir.debs/busybox/bin/busybox" "$dir/bin/sh"
    # Where bwrap binds qemu-user (a static amd64 program) to run et with.
    touch "$dir/qemu"
    ;;
  *)
    download "libc6:$deb_arch" "dash:$deb_arch"
    for deb in "$dir.debs"/*.deb; do dpkg-deb -x "$deb" "$dir"; done
    # bookworm's .debs still ship /lib, /lib64 and /bin (usrmerge links them at
    # install time), so the unpacked tree works as it is. The /bin/sh link is what
    # dash's postinst would make.
    ln -sfn dash "$dir/bin/sh"
    ;;
esac
# Mount points for bwrap (the root is bound read-only): /et is the binary.
mkdir -p "$dir/dev" "$dir/proc" "$dir/tmp" "$dir/configs"
touch "$dir/et"
rm -rf "$dir.debs"
touch "$dir/.et-bare-complete"
