#!/usr/bin/env bash
# source.sh PACKAGE [VERSION]: fetches a Debian 12 (bookworm) source package
# into build-cross/src/ and unpacks it with Debian's patches applied
# (build-cross/src/PACKAGE-UPSTREAMVERSION/). Leaves the system's apt
# configuration alone: apt-get runs with a private sources list, lists and
# cache under build-cross/apt/, holding one deb-src line for deb.debian.org.
#
# What is verified: `apt-get update` checks the InRelease signature of
# bookworm against Debian's archive keyring (/usr/share/keyrings/
# debian-archive-keyring.gpg) and the SHA256 of Sources.xz listed in it;
# `apt-get source` checks the .dsc and every file it names against the SHA256
# sums in that signed Sources index; this script then checks each file again
# against the .dsc's Checksums-Sha256 before unpacking, and dpkg-source
# checks them once more. Not checked: the uploader's OpenPGP signature on the
# .dsc (that needs debian-keyring; the archive signature already covers the
# .dsc through the Sources index).
#
# When the mirror lacks the Debian tarball (.debian.tar.*: seen on this
# machine's deb.debian.org for actor-framework 0.17.6-2.1, 404), Debian's
# patches cannot be applied: the verified upstream tarball is unpacked alone,
# et's replacements in cross/patches/PACKAGE/*.patch are applied, and the
# tree is marked with NO-DEBIAN-PATCHES and a loud warning. Any other missing
# file is an error.
set -euo pipefail
package=${1:?usage: $0 PACKAGE [VERSION]}
version=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
apt_dir=$root/build-cross/apt
src_dir=$root/build-cross/src
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$src_dir"

# One line, one suite: bookworm main, the archive et's dependencies come from.
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" \
  > "$apt_dir/sources.list"
apt_opts=(
  -o Dir::Etc::SourceList="$apt_dir/sources.list"
  -o Dir::Etc::SourceParts=/dev/null
  -o Dir::State::Lists="$apt_dir/lists"
  -o Dir::Cache="$apt_dir/cache"
  -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
  # As root, apt downloads as _apt, which cannot write into this checkout.
  -o APT::Sandbox::User="$(id -un)"
  -o Acquire::Languages=none
)

# The index is fetched at most once a day (bookworm main's Sources.xz: ~9.5 MB).
stamp=$apt_dir/lists/.et-updated
if [[ ! -e $stamp || -n $(find "$stamp" -mmin +1440) ]]; then
  echo "source: apt-get update (private config in $apt_dir)"
  apt-get "${apt_opts[@]}" -q update
  touch "$stamp"
fi

cd "$src_dir"
spec=$package${version:+=$version}
echo "source: apt-get source --download-only $spec"
# A 404 for one file is handled below; apt still verifies what it did get.
apt-get "${apt_opts[@]}" -q source --download-only "$spec" || true

# The .dsc apt fetched (verified against Sources), newest if several.
if [[ -n $version ]]; then
  dsc=${package}_${version#*:}.dsc
else
  dsc=$(find . -maxdepth 1 -name "${package}_*.dsc" -printf '%f\n' | sort -V | tail -1)
fi
[[ -n $dsc && -s $dsc ]] || { echo "source: no .dsc for $spec" >&2; exit 1; }

# Every file of the .dsc, checked against its Checksums-Sha256.
missing_debian=
while read -r sum _ file; do
  if [[ ! -e $file ]]; then
    if [[ $file == *.debian.tar.* ]]; then missing_debian=$file; continue; fi
    echo "source: $file (named in $dsc) could not be downloaded" >&2
    exit 1
  fi
  echo "$sum  $file" | sha256sum --quiet -c - \
    || { echo "source: $file does not match $dsc" >&2; exit 1; }
done < <(sed -n '/^Checksums-Sha256:/,/^[^ ]/{/^ /p}' "$dsc")

upstream=$(sed -n 's/^Version: \(.*:\)\{0,1\}\([^-]*\)-.*/\2/p' "$dsc")
tree=$src_dir/$package-$upstream
rm -rf "$tree"
if [[ -z $missing_debian ]]; then
  dpkg-source -x "$dsc" "$tree" >/dev/null
  echo "source: $tree (Debian's patches applied)"
  exit 0
fi

orig=$(sed -n '/^Checksums-Sha256:/,/^[^ ]/{/^ /p}' "$dsc" | awk '{print $3}' | grep '\.orig\.tar\.' | head -1)
mkdir -p "$tree"
tar -xf "$orig" -C "$tree" --strip-components=1
for patch in "$root/cross/patches/$package"/*.patch; do
  [[ -e $patch ]] || continue
  patch -d "$tree" -p1 -s < "$patch"
  echo "source: applied et's $(basename "$patch")"
done
echo "Debian's $missing_debian was not on the mirror: its patches are not applied" \
  > "$tree/NO-DEBIAN-PATCHES"
echo "source: WARNING: $missing_debian is not on the mirror; $tree is the verified upstream" \
  "tarball plus cross/patches/$package/, not Debian's patched tree" >&2
echo "source: $tree"
