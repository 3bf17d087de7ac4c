#!/usr/bin/env bash
# caf.sh PREFIX [TOOLCHAIN_FILE]: builds CAF 0.17.6 (core, io, openssl) from
# Debian's source package as static libraries only (no examples, tests, tools,
# Python or OpenCL) and installs headers and .a archives into PREFIX. Without
# a toolchain file it uses the host g++ (amd64); with one (riscv64, ppc64:
# cross/libraries.sh) the same recipe cross-compiles. Does nothing when PREFIX
# already holds a finished build. The build tree is PREFIX.build, or
# CAF_BUILD_DIR.
set -euo pipefail
# Builds share two cores with other work: run at niceness 10 (not more, so a
# caller that already did `nice -n 10` does not push this to 19).
[[ $(nice) -ge 10 ]] || exec nice -n $((10 - $(nice))) "$0" "$@"
prefix=${1:?usage: $0 PREFIX [TOOLCHAIN_FILE]}
toolchain=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
marker=$prefix/.et-caf-complete
if [[ -e $marker ]]; then exit 0; fi

src=$root/build-cross/src/actor-framework-0.17.6
[[ -d $src ]] || "$root/cross/source.sh" actor-framework 0.17.6-2.1
# The build tree stays (an interrupted build resumes); a previous CAF install
# in the prefix goes (the prefix may hold other libraries: cross/libraries.sh).
build=${CAF_BUILD_DIR:-$prefix.build}
rm -rf "$prefix/include/caf" "$prefix"/lib/libcaf_*
mkdir -p "$build"
start=$SECONDS
# CAF 0.17 sets -std=c++11 unless CMAKE_CXX_FLAGS names a standard; Debian
# builds it as C++14 (its patch "enable -std=c++14, avoid FTBFS"), so do we,
# with the flags Debian 12 builds every package with (dpkg-buildflags: -O2,
# stack protector, _FORTIFY_SOURCE=2), minus -g.
# build_config.hpp matches Debian's libcaf-dev: log level QUIET, exceptions
# and memory management on, runtime checks off (all CAF's defaults).
cmake -S "$src" -B "$build" -G Ninja \
  ${toolchain:+-DCMAKE_TOOLCHAIN_FILE="$toolchain"} \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_CXX_FLAGS="-std=c++14 -fstack-protector-strong -Wformat -Werror=format-security -D_FORTIFY_SOURCE=2" \
  -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DCAF_BUILD_STATIC_ONLY=ON -DCAF_NO_EXAMPLES=ON -DCAF_NO_UNIT_TESTS=ON \
  -DCAF_NO_TOOLS=ON -DCAF_NO_PYTHON=ON -DCAF_NO_OPENCL=ON -DCAF_NO_SUMMARY=ON \
  -DCAF_LOG_LEVEL=QUIET >"$build.log" 2>&1 || { tail -30 "$build.log"; exit 1; }
cmake --build "$build" -j "${JOBS:-2}" >>"$build.log" 2>&1 \
  || { grep -m5 -B2 -A10 'error' "$build.log"; exit 1; }
cmake --install "$build" >>"$build.log" 2>&1
# What et's FindCAF needs, and nothing shared (a .so here would win the link).
for lib in core io openssl; do
  [[ -s $prefix/lib/libcaf_${lib}_static.a || -s $prefix/lib/libcaf_$lib.a ]] \
    || { echo "caf: no static libcaf_$lib in $prefix/lib" >&2; exit 1; }
done
if find "$prefix" -name '*.so*' | grep -q .; then
  echo "caf: shared libraries in $prefix" >&2; exit 1
fi
touch "$marker"
echo "caf: built in $((SECONDS - start)) s into $prefix"
