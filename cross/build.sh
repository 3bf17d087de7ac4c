#!/usr/bin/env bash
# build.sh ARCH (arm64|ppc64le|riscv64|ppc64|amd64-static): a self-contained,
# stripped `et` for ARCH in build-cross/ARCH/et, made on an amd64 Debian 12
# host. Installs the host tools, makes the Debian sysroot once for arm64 and
# ppc64le (build-cross/sysroot-ARCH), then builds with cross/static.sh.
set -euo pipefail
# shellcheck source=cross/arch.sh
source "$(dirname "$0")/arch.sh"
cd "$root"
[[ -n $toolchain ]] || exec cross/static.sh "$arch"

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)

# Host tools: the cross g++ (with binutils, for strip), debootstrap for the
# sysroot and qemu-user for the smoke test. install-deps runs apt-get update
# before installing and does nothing when all are there.
ET_EXTRA_PACKAGES="debootstrap qemu-user-static g++-$triple" scripts/install-deps

# A Debian sysroot is made once; a marker tells a finished one from an interrupted one.
if [[ $sysroot_from == debian && ! -e $sysroot/.et-sysroot-complete ]]; then
  echo "cross: making the $arch sysroot in $sysroot"
  mkdir -p build-cross
  start=$SECONDS
  "${sudo[@]}" cross/sysroot.sh "$deb_arch" "$sysroot" >"$root/build-cross/sysroot-$arch.log" 2>&1 \
    || { tail -20 "$root/build-cross/sysroot-$arch.log"; exit 1; }
  echo "cross: sysroot made in $((SECONDS - start)) s ($(du -sh "$sysroot" | cut -f1))"
fi
exec cross/static.sh "$arch"
