#!/usr/bin/env bash
# static.sh [ARCH] (amd64-static, the default and for now the only one): a
# self-contained `et` that needs only the C library at run time.
#  1. CAF 0.17.6 from Debian's source package, static, into
#     build-cross/static-amd64/prefix (cross/caf.sh, once);
#  2. et in build-cross/amd64-static: Release, ET_TESTS=OFF, ET_BENCH=OFF,
#     ET_STATIC=ON (cmake/EtStatic.cmake: Debian's .a archives for Boost.JSON,
#     yaml-cpp, OpenSSL and SQLite, -static-libstdc++ -static-libgcc; glibc
#     stays shared), stripped to build-cross/amd64-static/et;
#  3. checks that the binary needs nothing but glibc's own libraries.
# `make static` runs this and then cross/smoke.sh amd64-static (bare root).
set -euo pipefail
# Builds share two cores with other work: run at niceness 10 (not more, so a
# caller that already did `nice -n 10` does not push this to 19).
[[ $(nice) -ge 10 ]] || exec nice -n $((10 - $(nice))) "$0" "$@"
# shellcheck source=cross/arch.sh
source "$(dirname "$0")/arch.sh" "${1:-amd64-static}"
cd "$root"
[[ -n ${static_prefix:-} ]] || { echo "static: $arch is not a static build" >&2; exit 2; }

# The host's -dev packages (Debian's static archives come with them), dpkg-source.
ET_EXTRA_PACKAGES="dpkg-dev" scripts/install-deps
timings=$root/build-cross/$arch-timings.txt
: >"$timings"
step() { local name=$1 t=$SECONDS; shift; "$@"; echo "$name $((SECONDS - t)) s" | tee -a "$timings"; }

export CCACHE_BASEDIR=$root
step "caf" env JOBS="${JOBS:-2}" cross/caf.sh "$static_prefix"

configure_and_build() {
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DET_TESTS=OFF \
    -DET_BENCH=OFF -DET_STATIC=ON -DCMAKE_PREFIX_PATH="$static_prefix" >/dev/null
  cmake --build "$build_dir" -j "${JOBS:-2}" --target et
  strip -o "$build_dir/et" "$build_dir/bin/et"
}
step "et" configure_and_build

# Only glibc's libraries may be needed (libc, libm, the loader; libpthread and
# libdl are empty stubs since glibc 2.34 and do not appear).
mapfile -t needed < <(readelf -d "$build_dir/et" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for lib in "${needed[@]}"; do
  case $lib in
    libc.so.6 | libm.so.6 | ld-linux*.so.* | libpthread.so.0 | libdl.so.2) ;;
    *) echo "static: $build_dir/et needs $lib, which is not part of glibc" >&2; exit 1 ;;
  esac
done
glibc=$(objdump -T "$build_dir/et" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
echo "static: $build_dir/et ($(stat -c %s "$build_dir/et") bytes stripped," \
  "$(stat -c %s "$build_dir/bin/et") unstripped); needs ${needed[*]}, at least $glibc"
