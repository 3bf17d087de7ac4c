#!/usr/bin/env bash
# dist.sh: release tarballs in dist/, one per architecture: amd64 (the
# self-contained build of cross/static.sh: needs only glibc) plus every
# architecture already cross-built (build-cross/ARCH/et, still dynamically
# linked against Debian 12's libraries). Each holds the stripped binary,
# README.md, the example configs, LICENSE and sha256sums.txt of its files;
# dist/sha256sums.txt lists the tarballs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=$(git describe --tags --always --dirty)
export CCACHE_BASEDIR=$root

# amd64, self-contained (static except glibc): see cross/static.sh and
# `make static`, which also smoke-tests it in a bare root.
JOBS=${JOBS:-2} cross/static.sh amd64-static
binaries=(amd64:build-cross/amd64-static/et)

# Cross builds: bring each up to date with HEAD (incremental, seconds when
# nothing changed) so a tarball never carries a stale version stamp.
for dir in build-cross/*/; do
  arch=$(basename "$dir")
  [[ -x $dir/et ]] || continue
  [[ $arch == *-static ]] && continue   # made above
  JOBS=${JOBS:-2} cross/build.sh "$arch" >/dev/null
  binaries+=("$arch:${dir}et")
done

rm -rf dist
mkdir -p dist
for entry in "${binaries[@]}"; do
  arch=${entry%%:*} binary=${entry#*:}
  name=et-$version-linux-$arch
  stage=dist/$name
  mkdir -p "$stage/configs"
  cp "$binary" "$stage/et"
  cp README.md "$stage/"
  cp configs/*.yaml "$stage/configs/"
  cp LICENSE "$stage/"
  sums=$(cd "$stage" && find . -type f -printf '%P\n' | sort | xargs sha256sum)
  echo "$sums" > "$stage/sha256sums.txt"
  tar -C dist -czf "dist/$name.tar.gz" --owner=0 --group=0 "$name"
  rm -rf "$stage"
  printf '%-40s et %8d bytes\n' "dist/$name.tar.gz" "$(stat -c %s "$binary")"
done
(cd dist && sha256sum et-*.tar.gz > sha256sums.txt)
echo "dist: dist/sha256sums.txt"
