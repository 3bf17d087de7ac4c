#!/usr/bin/env bash
# sysroot.sh DEB_ARCH DIR: a Debian 12 tree of the target architecture holding
# et's build dependencies, made without running any target code (so no qemu
# and no chroot). Needs root (debootstrap). Recipe: shared/docs/CROSS.md.
# No libcaf-dev: Debian ships CAF only shared; cross/caf.sh builds it static
# into SYSROOT/usr/local.
set -euo pipefail
deb_arch=$1 dir=$2
mirror=${ET_DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=libc6-dev,libstdc++-12-dev,libboost1.81-dev,libboost-json1.81-dev
packages+=,libyaml-cpp-dev,libssl-dev,libsqlite3-dev,libcli11-dev

rm -rf "$dir"
mkdir -p "$dir"
dir=$(realpath "$dir")
# --foreign: unpack the base system only; the --include packages (with their
# dependencies) are downloaded into var/cache/apt/archives but not unpacked.
debootstrap --variant=minbase --foreign --arch="$deb_arch" --include="$packages" \
  bookworm "$dir" "$mirror"

# Unpack every downloaded package (what dpkg -x does, but keeping the merged
# /usr links: bookworm's /lib is a link to usr/lib, and plain tar would replace
# it with a real folder, splitting the libraries over two trees).
for deb in "$dir"/var/cache/apt/archives/*.deb; do
  dpkg-deb --fsys-tarfile "$deb" | tar -C "$dir" --keep-directory-symlink -xf -
done

# Absolute links point into the host (libfoo.so -> /lib/TRIPLE/libfoo.so.1,
# ppc64le's /lib64/ld64.so.2): make each relative so it stays in the sysroot.
# find does not follow linked folders, so each link's folder is a real path.
# debootstrap leaves proc as a link to the host's /proc: skip such self-links.
find "$dir" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
  target=$(readlink "$link")
  [[ $dir$target != "$link" ]] || continue
  ln -sfn "$(realpath -s -m --relative-to="$(dirname "$link")" "$dir$target")" "$link"
done
# qemu -L serves any path that exists in the sysroot instead of the host's:
# without the device nodes debootstrap made, /dev/null is the host's own.
rm -rf "${dir:?}/dev"
touch "$dir/.et-sysroot-complete"
