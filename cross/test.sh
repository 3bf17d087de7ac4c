#!/usr/bin/env bash
# test.sh ARCH (arm64|ppc64le|riscv64|ppc64): cross-builds libet's unit test suites and runs
# them under qemu-user through ctest (the toolchain sets qemu as
# CMAKE_CROSSCOMPILING_EMULATOR). Needs the sysroot from cross/build.sh ARCH.
# Integration suites (loopback HTTP/TLS servers, the fake upstream) and the
# actor suites are left out to keep the build short on 2 cores.
set -euo pipefail
# shellcheck source=cross/arch.sh
source "$(dirname "$0")/arch.sh"
cd "$root"
dir=$build_dir-tests
# The suites link like `et` (ET_STATIC: static libraries, CAF from
# SYSROOT/usr/local) and load only glibc, from the bare root (the toolchain
# file points qemu's -L there).
if [[ $sysroot_from == source ]]; then
  [[ -e $root/build-cross/$arch-libraries/caf.done ]] || { echo "test: run cross/build.sh $arch first" >&2; exit 1; }
else
  [[ -e $static_prefix/.et-caf-complete ]] || { echo "test: run cross/build.sh $arch first" >&2; exit 1; }
fi
cross/bare.sh "$arch"
args=(-DET_STATIC=ON -DCMAKE_PREFIX_PATH=/usr/local)

export CCACHE_DIR=${CCACHE_DIR_CROSS:-$root/build-cross/ccache}
export CCACHE_BASEDIR=$root
cmake -S . -B "$dir" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$root/cross/$toolchain" \
  -DCMAKE_BUILD_TYPE=Release -DET_TESTS=ON -DET_BENCH=OFF "${args[@]}" >/dev/null
# One executable per suite, named test_ plus the ctest name with / as _.
mapfile -t suites < <(cd "$dir" && ctest -N -L unit -R '^libet/' | sed -n 's/^ *Test *#[0-9]*: //p')
targets=()
for suite in "${suites[@]}"; do targets+=("test_${suite//\//_}"); done
start=$SECONDS
cmake --build "$dir" -j "${JOBS:-2}" --target "${targets[@]}"
echo "test: ${#suites[@]} suites built in $((SECONDS - start)) s"
# Two things qemu-user 7.2 does not do, whatever the CPU (seen on ppc64 and
# riscv64, not on real hardware), so the cases that need them are left out and
# the rest of their suites run on their own below:
# - glibc's posix_spawn relies on CLONE_VFORK, which qemu runs as a plain fork:
#   a missing program shows up as exit 127 rather than a spawn error
#   (libet/session/process, "a missing program ...");
# - prctl(PR_SET_CHILD_SUBREAPER) fails (EINVAL), so processes that left the
#   command's group with setsid are not reparented to et and outlive it
#   (libet/workspace/command, the two "setsid" cases).
cd "$dir"
status=0
ctest -L unit -R '^libet/' -E '^libet/(session/process|workspace/command)$' --output-on-failure \
  -j "${JOBS:-2}" || status=1
emulator=("$qemu" -L "$bare")
for run in "session/test_libet_session_process:.*missing program.*" \
  "workspace/test_libet_workspace_command:.*setsid.*"; do
  echo "test: tests/libet/${run%%:*} without the cases matching ${run#*:}"
  "${emulator[@]}" "tests/libet/${run%%:*}" -n -T "${run#*:}" | tail -4 || status=1
done
exit $status
