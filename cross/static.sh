#!/usr/bin/env bash
# static.sh ARCH (amd64-static, the default; arm64, ppc64le, riscv64, ppc64): a
# self-contained `et` that needs only the C library at run time.
#  1. the libraries, once: CAF 0.17.6 built static from Debian's source
#     package (cross/caf.sh), and
#     - amd64-static, arm64, ppc64le: Debian 12's own static archives for the
#       rest (the host's -dev packages, or the Debian sysroot's);
#     - riscv64, ppc64: every library from Debian's source packages
#       (cross/libraries.sh), into build-cross/sysroot-ARCH/usr/local;
#  2. et in build-cross/ARCH: Release, ET_TESTS=OFF, ET_BENCH=OFF, ET_STATIC=ON
#     (cmake/EtStatic.cmake: .a archives for everything, -static-libstdc++
#     -static-libgcc; glibc stays shared), stripped to build-cross/ARCH/et;
#  3. checks that the binary needs nothing but glibc's own libraries.
# `make cross ARCH=...` (cross/build.sh, which makes a Debian sysroot first)
# and `make static` run this, then cross/smoke.sh ARCH (in a bare root).
set -euo pipefail
# Builds share two cores with other work: run at niceness 10 (not more, so a
# caller that already did `nice -n 10` does not push this to 19).
[[ $(nice) -ge 10 ]] || exec nice -n $((10 - $(nice))) "$0" "$@"
# shellcheck source=cross/arch.sh
source "$(dirname "$0")/arch.sh" "${1:-amd64-static}"
cd "$root"

timings=$root/build-cross/$arch-timings.txt
: >"$timings"
step() { local name=$1 t=$SECONDS; shift; "$@"; echo "$name $((SECONDS - t)) s" | tee -a "$timings"; }
export CCACHE_BASEDIR=$root

if [[ -z $toolchain ]]; then
  # The host's -dev packages (Debian's static archives come with them), dpkg-source.
  ET_EXTRA_PACKAGES="dpkg-dev" scripts/install-deps
  step "caf" env JOBS="${JOBS:-2}" cross/caf.sh "$static_prefix"
  cmake_args=(-DCMAKE_PREFIX_PATH="$static_prefix")
else
  # Cross objects get their own ccache so they never evict the native build's.
  export CCACHE_DIR=${CCACHE_DIR_CROSS:-$root/build-cross/ccache}
  if [[ $sysroot_from == source ]]; then
    step "libraries" env JOBS="${JOBS:-2}" cross/libraries.sh "$arch"
  else
    [[ -e $sysroot/.et-sysroot-complete ]] || { echo "static: run cross/build.sh $arch first" >&2; exit 1; }
    step "caf" env JOBS="${JOBS:-2}" CAF_BUILD_DIR="$root/build-cross/$arch-caf" \
      cross/caf.sh "$static_prefix" "$root/cross/$toolchain"
  fi
  # The toolchain file re-roots every search into the sysroot, so the prefix
  # is named from inside it.
  cmake_args=(-DCMAKE_TOOLCHAIN_FILE="$root/cross/$toolchain" -DCMAKE_PREFIX_PATH=/usr/local)
fi

configure_and_build() {
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DET_TESTS=OFF \
    -DET_BENCH=OFF -DET_STATIC=ON "${cmake_args[@]}" >/dev/null
  cmake --build "$build_dir" -j "${JOBS:-2}" --target et
  "$triple-strip" -o "$build_dir/et" "$build_dir/bin/et"
}
step "et" configure_and_build

# Only glibc's libraries may be needed (libc, libm, the loader; libpthread and
# libdl are empty stubs since glibc 2.34 and do not appear).
mapfile -t needed < <("$triple-readelf" -d "$build_dir/et" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for lib in "${needed[@]}"; do
  case $lib in
    libc.so.6 | libm.so.6 | ld-linux*.so.* | ld64.so.* | libpthread.so.0 | libdl.so.2) ;;
    *) echo "static: $build_dir/et needs $lib, which is not part of glibc" >&2; exit 1 ;;
  esac
done
glibc=$("$triple-objdump" -T "$build_dir/et" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
echo "static: $build_dir/et ($(stat -c %s "$build_dir/et") bytes stripped," \
  "$(stat -c %s "$build_dir/bin/et") unstripped); needs ${needed[*]}, at least $glibc"
