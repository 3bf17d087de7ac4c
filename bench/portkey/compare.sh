#!/bin/sh
# By hand, never in CI: et's gateway and Portkey's open-source gateway
# (npm @portkey-ai/gateway) side by side under the same load, both in front of
# the same et-fake-upstream (Portkey reaches it through x-portkey-custom-host).
# Installs Portkey into BUILD/portkey on first use (needs node, npm and the
# npm registry), starts it headless on PORT (note: it listens on every
# address, not only loopback, while the bench runs), then runs
# et-bench-gateway with Portkey as its third target and stops it.
#
#   bench/portkey/compare.sh [BUILD [PORT]] [-- et-bench-gateway flags]
#   e.g. bench/portkey/compare.sh build-rwd 18787 -- --seconds 3
#
# GATEWAY_CPUS=LIST (e.g. 1) runs both gateways on those CPUs (Portkey under taskset, et's
# through et-bench-gateway --gateway-cpus) and the client and upstream on the others.
#
# Known (Portkey 1.15.2 on node 20, 2026-12-03): every streamed chat completion through a
# custom host fails with 500 "Something went wrong" and "TypeError: immutable" in its log
# (Portkey-AI/gateway issues 1389 and 1550; pinning @hono/node-server 1.14.2 did not help):
# its stream rows then show only errors.
#
# Build BUILD in an optimised mode first (ninja -C BUILD et et-fake-upstream et-bench-gateway).
set -eu
build=${1:-build}
port=${2:-18787}
shift $(( $# > 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
bin="$build/bin"
for tool in et et-fake-upstream et-bench-gateway; do
  [ -x "$bin/$tool" ] || { echo "compare.sh: $bin/$tool is missing: build it first" >&2; exit 2; }
done
command -v node >/dev/null || { echo "compare.sh: node is not installed" >&2; exit 2; }
dir="$build/portkey"
server="$dir/node_modules/@portkey-ai/gateway/build/start-server.js"
if [ ! -f "$server" ]; then
  mkdir -p "$dir"
  echo "compare.sh: installing @portkey-ai/gateway into $dir" >&2
  (cd "$dir" && npm install --no-audit --no-fund --prefix . @portkey-ai/gateway >npm-install.log 2>&1) \
    || { echo "compare.sh: npm install failed (see $dir/npm-install.log)" >&2; exit 1; }
fi
version=$(node -p "require('./$dir/node_modules/@portkey-ai/gateway/package.json').version")
pin=""
if [ -n "${GATEWAY_CPUS:-}" ]; then
  pin="taskset -c $GATEWAY_CPUS"
  set -- --gateway-cpus "$GATEWAY_CPUS" "$@"
fi
NODE_ENV=production $pin node "$server" --port="$port" --headless >"$dir/portkey.log" 2>&1 &
pk=$!
# What the script exits with once Portkey is stopped: the bench's status (set -e would
# otherwise make it the status of Portkey's end, 143).
status=1
trap 'kill $pk 2>/dev/null; wait $pk 2>/dev/null || true; exit $status' EXIT INT TERM
tries=0
until curl -sf "http://127.0.0.1:$port/" >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ $tries -lt 100 ] || { echo "compare.sh: Portkey did not start (see $dir/portkey.log)" >&2; exit 1; }
  sleep 0.1
done
echo "Portkey gateway $version (node $(node --version)) on port $port, pid $pk; $(date -u '+%Y-%m-%d %H:%M UTC')"
"$bin/et-bench-gateway" --other "portkey=http://127.0.0.1:$port" --other-model fake-small \
  --other-pid "$pk" \
  --other-header "x-portkey-provider: openai" \
  --other-header "x-portkey-custom-host: {upstream}/v1" \
  --other-header "Authorization: Bearer sk-fake-bench" "$@" && status=0 || status=$?
