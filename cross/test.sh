#!/usr/bin/env bash
# test.sh ARCH (arm64|ppc64le): cross-builds libet's unit test suites and runs
# them under qemu-user through ctest (the toolchain sets qemu as
# CMAKE_CROSSCOMPILING_EMULATOR). Needs the sysroot from cross/build.sh ARCH.
# Integration suites (loopback HTTP/TLS servers, the fake upstream) and the
# actor suites are left out to keep the build short on 2 cores.
set -euo pipefail
# shellcheck source=cross/arch.sh
source "$(dirname "$0")/arch.sh"
cd "$root"
[[ -e $sysroot/.et-sysroot-complete ]] || { echo "test: run cross/build.sh $arch first" >&2; exit 1; }
dir=$build_dir-tests

export CCACHE_DIR=${CCACHE_DIR_CROSS:-$root/build-cross/ccache}
export CCACHE_BASEDIR=$root
cmake -S . -B "$dir" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$root/cross/$toolchain" \
  -DCMAKE_BUILD_TYPE=Release -DET_TESTS=ON -DET_BENCH=OFF >/dev/null
# One executable per suite, named test_ plus the ctest name with / as _.
mapfile -t suites < <(cd "$dir" && ctest -N -L unit -R '^libet/' | sed -n 's/^ *Test *#[0-9]*: //p')
targets=()
for suite in "${suites[@]}"; do targets+=("test_${suite//\//_}"); done
start=$SECONDS
cmake --build "$dir" -j "${JOBS:-2}" --target "${targets[@]}"
echo "test: ${#suites[@]} suites built in $((SECONDS - start)) s"
# libet/session/process is left out: qemu-user runs glibc's posix_spawn with a
# real fork instead of CLONE_VFORK, so a missing program shows up as exit 127
# rather than a spawn error, and the suite's "missing program" case aborts.
cd "$dir" && ctest -L unit -R '^libet/' -E '^libet/session/process$' --output-on-failure \
  -j "${JOBS:-2}"
