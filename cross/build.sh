#!/usr/bin/env bash
# build.sh ARCH (arm64|ppc64le): cross-builds a stripped `et` for ARCH on an
# amd64 Debian 12 host. Installs the host tools, makes the target sysroot once
# (build-cross/sysroot-ARCH), then configures and builds build-cross/ARCH.
set -euo pipefail
# shellcheck source=cross/arch.sh
source "$(dirname "$0")/arch.sh"
cd "$root"
# A self-contained build (amd64-static) has its own recipe: cross/static.sh.
if [[ -n $static_prefix ]]; then exec cross/static.sh "$arch"; fi

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)

# Host tools: the cross g++ (with binutils, for strip), debootstrap for the
# sysroot and qemu-user for the smoke test. install-deps runs apt-get update
# before installing and does nothing when all are there.
ET_EXTRA_PACKAGES="debootstrap qemu-user-static g++-$triple" scripts/install-deps

# The sysroot is made once; a marker tells a finished one from an interrupted one.
if [[ ! -e $sysroot/.et-sysroot-complete ]]; then
  echo "cross: making the $arch sysroot in $sysroot"
  mkdir -p build-cross
  start=$SECONDS
  "${sudo[@]}" cross/sysroot.sh "$deb_arch" "$sysroot" >"$root/build-cross/sysroot-$arch.log" 2>&1 \
    || { tail -20 "$root/build-cross/sysroot-$arch.log"; exit 1; }
  echo "cross: sysroot made in $((SECONDS - start)) s ($(du -sh "$sysroot" | cut -f1))"
fi

# Cross objects get their own ccache so they never evict the native build's.
export CCACHE_DIR=${CCACHE_DIR_CROSS:-$root/build-cross/ccache}
export CCACHE_BASEDIR=$root
start=$SECONDS
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$root/cross/$toolchain" \
  -DCMAKE_BUILD_TYPE=Release -DET_TESTS=OFF -DET_BENCH=OFF >/dev/null
cmake --build "$build_dir" -j "${JOBS:-2}" --target et
"$triple-strip" -o "$build_dir/et" "$build_dir/bin/et"
echo "cross: built in $((SECONDS - start)) s"
echo "cross: $build_dir/et ($(stat -c %s "$build_dir/et") bytes, stripped)"
"$triple-readelf" -h "$build_dir/et" | grep -E 'Class|Machine' 
