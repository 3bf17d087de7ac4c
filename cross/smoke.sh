#!/usr/bin/env bash
# smoke.sh ARCH (arm64|ppc64le|riscv64|ppc64|amd64-static): runs the built,
# self-contained `et` on the offline demo config in a bare root: bwrap with a
# root file system that holds only the C library (cross/bare.sh, plus the
# /bin/sh that `--verify` starts), no network, `et` and the configs bound
# read-only, a scratch /tmp. Nothing of the host's /usr is visible. Foreign
# architectures run as `/qemu /et ...` with the host's static qemu-user bound
# in and no -L: qemu takes the loader and glibc from the bare root.
# Any non-zero exit fails the test.
set -euo pipefail
# shellcheck source=cross/arch.sh
source "$(dirname "$0")/arch.sh"
cd "$root"
et=$build_dir/et
[[ -x $et ]] || { echo "smoke: no $et; run cross/build.sh $arch first" >&2; exit 1; }

# The cost ledger and run journal go to a throwaway state dir, not the user's.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() {
  echo "+ $*"
  "$@" || { rc=$?; echo "smoke: $arch FAILED (exit $rc): $*" >&2; exit 1; }
}
command -v bwrap >/dev/null || ET_EXTRA_PACKAGES=bubblewrap scripts/install-deps
cross/bare.sh "$arch"
# What `et` sees inside: the scratch dir is /tmp, the configs are /configs.
inner_tmp=/tmp config=/configs/demo.yaml
echo "smoke: in a bare root ($bare: $(find "$bare" -name '*.so*' | wc -l) shared objects, all glibc's)"
# The proof is void if any of et's other libraries is in there.
if find "$bare" \( -name 'libstdc++*' -o -name 'libgcc_s*' -o -name 'libcaf*' -o -name 'libboost*' \
  -o -name 'libyaml*' -o -name 'libssl*' -o -name 'libcrypto*' -o -name 'libsqlite*' \) | grep .; then
  echo "smoke: $bare is not bare" >&2; exit 1
fi
# What the binary asks the loader for (ldd cannot read a foreign binary).
check "$triple-readelf" -d "$et" | grep -E '^\+|NEEDED'
export XDG_STATE_HOME=$inner_tmp/state

et() {
  check bwrap --ro-bind "$bare" / --ro-bind "$et" /et --ro-bind "$root/configs" /configs \
    --bind "$tmp" /tmp --dev /dev --proc /proc --unshare-all --die-with-parent \
    ${qemu:+--ro-bind "$(command -v "$qemu")" /qemu} \
    --clearenv --setenv XDG_STATE_HOME "$XDG_STATE_HOME" --setenv PATH /bin --chdir /tmp \
    ${qemu:+/qemu} /et "$@"
}

et version
et config check --config "$config"
et run --config "$config" --worker-role scribe "hi"
# Pool mode: the mayor decomposes, three members work in parallel over CAF,
# the witness reviews, the files land in the output dir, the verify command
# runs in its own process (under qemu-user that child is the host's /bin/sh).
et run --config "$config" --output-dir "$inner_tmp/out" --verify "test -s wc.py" \
  "Build a word count tool; break the task into steps"
check test -s "$tmp/out/wc.py"
check test -s "$tmp/out/test_wc.py"
check test -s "$tmp/out/README.md"
# Foreign CPUs: one run across two CPUs, this et as a node of the host's et
# (cross/mixed.sh); needs an amd64 et of the host's own build.
if [[ -n $qemu ]]; then
  if [[ -x build/bin/et || -x build-test/bin/et || -x build-cross/amd64-static/et ]]; then
    check cross/mixed.sh "$arch"
  else
    echo "smoke: the mixed-CPU run (cross/mixed.sh) needs a host et (make build); not run"
  fi
fi
echo "smoke: $arch passed"
