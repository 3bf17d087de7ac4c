#!/usr/bin/env bash
# smoke.sh ARCH (arm64|ppc64le|amd64-static): runs the built `et` on the
# offline demo config. Any non-zero exit fails the test.
# - Cross builds run under qemu-user: -L makes qemu load the target's shared
#   libraries (CAF, Boost.JSON, yaml-cpp, OpenSSL, SQLite) from the sysroot.
# - Self-contained builds (NAME-static) run in a bare root: bwrap with a root
#   file system that holds only the C library (cross/bare.sh: libc6, plus dash
#   as the /bin/sh that `--verify` starts), no network, `et` and the configs
#   bound read-only, a scratch /tmp. Nothing of the host's /usr is visible.
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
if [[ -n $bare ]]; then
  command -v bwrap >/dev/null || ET_EXTRA_PACKAGES=bubblewrap scripts/install-deps
  cross/bare.sh "$deb_arch" "$bare"
  # What `et` sees inside: the scratch dir is /tmp, the configs are /configs.
  inner_tmp=/tmp config=/configs/demo.yaml
  echo "smoke: in a bare root ($bare: $(find "$bare" -name '*.so*' | wc -l) shared objects, all from libc6)"
  # The proof is void if any of et's other libraries is in there.
  if find "$bare" \( -name 'libstdc++*' -o -name 'libgcc_s*' -o -name 'libcaf*' -o -name 'libboost*' \
    -o -name 'libyaml*' -o -name 'libssl*' -o -name 'libcrypto*' -o -name 'libsqlite*' \) | grep .; then
    echo "smoke: $bare is not bare" >&2; exit 1
  fi
  check ldd "$et"
else
  inner_tmp=$tmp config=configs/demo.yaml
fi
export XDG_STATE_HOME=$inner_tmp/state

if [[ -n $bare ]]; then
  et() {
    check bwrap --ro-bind "$bare" / --ro-bind "$et" /et --ro-bind "$root/configs" /configs \
      --bind "$tmp" /tmp --dev /dev --proc /proc --unshare-all --die-with-parent \
      --clearenv --setenv XDG_STATE_HOME "$XDG_STATE_HOME" --setenv PATH /bin --chdir /tmp \
      /et "$@"
  }
else
  et() { check "$qemu" -L "$sysroot" "$et" "$@"; }
fi

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
echo "smoke: $arch passed"
