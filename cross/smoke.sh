#!/usr/bin/env bash
# smoke.sh ARCH (arm64|ppc64le): runs the cross-built `et` under qemu-user on
# the offline demo config. -L makes qemu load the target's shared libraries
# (CAF, Boost.JSON, yaml-cpp, OpenSSL, SQLite) from the sysroot. Any non-zero
# exit fails the test.
set -euo pipefail
# shellcheck source=cross/arch.sh
source "$(dirname "$0")/arch.sh"
cd "$root"
et=$build_dir/et
[[ -x $et ]] || { echo "smoke: no $et; run cross/build.sh $arch first" >&2; exit 1; }

# The cost ledger and run journal go to a throwaway state dir, not the user's.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME=$tmp/state
config=configs/demo.yaml

check() {
  echo "+ $*"
  "$@" || { rc=$?; echo "smoke: $arch FAILED (exit $rc): $*" >&2; exit 1; }
}
et() { check "$qemu" -L "$sysroot" "$et" "$@"; }

et version
et config check --config "$config"
et run --config "$config" --worker-role scribe "hi"
# Pool mode: the mayor decomposes, three members work in parallel over CAF,
# the witness reviews, the files land in the output dir, the verify command
# runs in its own process (under qemu-user that child is the host's /bin/sh).
et run --config "$config" --output-dir "$tmp/out" --verify "test -s wc.py" \
  "Build a word count tool; break the task into steps"
check test -s "$tmp/out/wc.py"
check test -s "$tmp/out/test_wc.py"
check test -s "$tmp/out/README.md"
echo "smoke: $arch passed"
