#!/usr/bin/env bash
# dist.sh: release tarballs in dist/, one per architecture, each `et`
# self-contained (static except glibc): amd64 (cross/static.sh) and arm64,
# ppc64le, riscv64, ppc64 (cross/build.sh; DIST_ARCHS picks others). Each is
# brought up to date with HEAD first (seconds when nothing changed, about half
# an hour per architecture from cold) so a tarball never carries a stale
# version stamp. Each tarball holds the stripped binary, README.md, the
# example configs, LICENSE and sha256sums.txt of its files; dist/sha256sums.txt
# lists the tarballs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=$(git describe --tags --always --dirty)
export CCACHE_BASEDIR=$root

binaries=()
for arch in amd64-static ${DIST_ARCHS:-arm64 ppc64le riscv64 ppc64}; do
  JOBS=${JOBS:-2} cross/build.sh "$arch" >/dev/null
  binaries+=("${arch%-static}:build-cross/$arch/et")
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
