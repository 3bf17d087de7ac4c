#!/usr/bin/env bash
# mixed.sh ARCH [HOST_ET]: one run across two CPUs. The ARCH `et` serves the
# demo's aliases as a node (in its bare root under qemu-user, sharing the
# host's loopback, mutual TLS), and the host's `et` runs the demo's pool task
# with every polecat member on that node (`worker-a@cross`, ...). The run must
# finish, write its files and bill exactly the tokens of the same run without
# the node: CAF's serialized messages (requests, streamed chunks, usage, cost)
# cross between a little-endian and, for ppc64, a big-endian process intact.
# HOST_ET: an amd64 `et` (default: build/bin/et, build-test/bin/et or the
# self-contained build-cross/amd64-static/et, the first that exists).
set -euo pipefail
# shellcheck source=cross/arch.sh
source "$(dirname "$0")/arch.sh"
cd "$root"
et=$build_dir/et
[[ -x $et && -n $qemu ]] || { echo "mixed: no cross-built $et; run cross/build.sh $arch first" >&2; exit 1; }
host_et=${2:-}
for candidate in build/bin/et build-test/bin/et build-cross/amd64-static/et; do
  [[ -n $host_et ]] && break
  [[ -x $candidate ]] && host_et=$root/$candidate
done
[[ -n $host_et ]] || { echo "mixed: no host et (make build, or name one)" >&2; exit 1; }
cross/bare.sh "$arch"

tmp=$(mktemp -d)
node_pid=
# KEEP=1 keeps the scratch folder (configs, logs, both runs' journals).
cleanup() {
  local rc=$?
  if [[ -n $node_pid ]]; then kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi
  if [[ -n ${KEEP:-} ]]; then echo "mixed: kept $tmp"; else rm -rf "$tmp"; fi
  exit $rc
}
trap cleanup EXIT
"$host_et" serve --init-tls "$tmp/tls" >/dev/null
# The node sees $tmp as its /tmp; port 0: it prints the port it got.
{ cat configs/demo.yaml
  printf '\nserver:\n  listen: 127.0.0.1:0\n'
  printf '  tls: {certificate: /tmp/tls/node.pem, key: /tmp/tls/node.key, ca_file: /tmp/tls/ca.pem}\n'
} >"$tmp/node.yaml"
: >"$tmp/node.log"
bwrap --ro-bind "$bare" / --ro-bind "$et" /et --bind "$tmp" /tmp --dev /dev --proc /proc \
  --unshare-pid --unshare-ipc --unshare-uts --die-with-parent \
  --ro-bind "$(command -v "$qemu")" /qemu --clearenv --setenv XDG_STATE_HOME /tmp/node-state \
  --setenv PATH /bin /qemu /et serve --config /tmp/node.yaml 2>"$tmp/node.log" &
node_pid=$!
port=
for _ in $(seq 200); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/node.log")
  [[ -n $port ]] && break
  kill -0 "$node_pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n $port ]] || { cat "$tmp/node.log" >&2; echo "mixed: the $arch node did not start" >&2; exit 1; }
echo "mixed: $arch node on 127.0.0.1:$port"

sed 's/^    pool: \[worker-a, worker-b, worker-c\]$/    pool: [worker-a@cross, worker-b@cross, worker-c@cross]/' \
  configs/demo.yaml >"$tmp/caller.yaml"
grep -q 'worker-a@cross' "$tmp/caller.yaml" || { echo "mixed: configs/demo.yaml has no pool line to point at the node" >&2; exit 1; }
printf '\nnodes:\n  cross:\n    address: 127.0.0.1:%s\n    tls: {certificate: %s, key: %s, ca_file: %s}\n' \
  "$port" "$tmp/tls/client.pem" "$tmp/tls/client.key" "$tmp/tls/ca.pem" >>"$tmp/caller.yaml"
task="Build a word count tool; break the task into steps"
total() { grep '^total ' "$1"; }
XDG_STATE_HOME=$tmp/local "$host_et" run --config configs/demo.yaml --output-dir "$tmp/local-out" "$task" >"$tmp/local.txt" 2>&1
XDG_STATE_HOME=$tmp/mixed "$host_et" run --config "$tmp/caller.yaml" --output-dir "$tmp/mixed-out" "$task" >"$tmp/mixed.txt" 2>&1
grep -E '^  @cross ' "$tmp/mixed.txt" || { cat "$tmp/mixed.txt"; echo "mixed: no call went to the $arch node" >&2; exit 1; }
grep "alias=" "$tmp/node.log"
diff -r "$tmp/local-out" "$tmp/mixed-out" || { echo "mixed: the files differ from a run without the node" >&2; exit 1; }
[[ $(total "$tmp/local.txt") == "$(total "$tmp/mixed.txt")" ]] \
  || { echo "mixed: tokens differ: $(total "$tmp/mixed.txt") with the node, $(total "$tmp/local.txt") without" >&2; exit 1; }
echo "mixed: $(total "$tmp/mixed.txt")"
echo "mixed: the $arch node and $host_et agree"
