#!/usr/bin/env bash
# bare.sh DEB_ARCH DIR: a root file system holding only Debian 12's C library
# (libc6: glibc's shared objects, ld.so, its NSS modules, gconv) plus dash as
# /bin/sh, which `et run --verify` starts its command with. No libstdc++, CAF,
# Boost, yaml-cpp, OpenSSL or SQLite: a self-contained `et` must run in it.
# The .debs come from the system's apt sources (`apt-get download`, checked
# against the signed package index); nothing is installed on the host.
set -euo pipefail
deb_arch=${1:?usage: $0 DEB_ARCH DIR} dir=${2:?usage: $0 DEB_ARCH DIR}
[[ -e $dir/.et-bare-complete ]] && exit 0
rm -rf "$dir" "$dir.debs"
mkdir -p "$dir" "$dir.debs"
(cd "$dir.debs" && apt-get -q -o APT::Sandbox::User="$(id -un)" download \
  "libc6:$deb_arch" "dash:$deb_arch" >/dev/null)
for deb in "$dir.debs"/*.deb; do dpkg-deb -x "$deb" "$dir"; done
# bookworm's .debs still ship /lib, /lib64 and /bin (usrmerge links them at
# install time), so the unpacked tree works as it is. The /bin/sh link is what
# dash's postinst would make.
ln -sfn dash "$dir/bin/sh"
# Mount points for bwrap (the root is bound read-only): /et is the binary.
mkdir -p "$dir/dev" "$dir/proc" "$dir/tmp" "$dir/configs"
touch "$dir/et"
rm -rf "$dir.debs"
touch "$dir/.et-bare-complete"
