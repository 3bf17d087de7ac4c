#!/usr/bin/env bash
# libraries.sh ARCH (riscv64|ppc64): et's libraries for an architecture that
# Debian 12 does not release, built from Debian 12's source packages with
# Debian's cross compiler, static only, into build-cross/sysroot-ARCH/usr/local:
#   OpenSSL (libssl.a, libcrypto.a), SQLite (libsqlite3.a), yaml-cpp
#   (libyaml-cpp.a), CLI11 (headers), Boost 1.81 (its headers, libboost_json.a,
#   libboost_container.a and b2's CMake configs), then CAF (cross/caf.sh).
# The C library is not copied: Debian's cross g++ brings its own
# (libc6-dev-ARCH-cross, glibc 2.36) and finds it without the sysroot.
# Each library is built once (a marker per library); logs in
# build-cross/ARCH-libraries/. Versions: the newest in Debian 12's archive.
set -euo pipefail
[[ $(nice) -ge 10 ]] || exec nice -n $((10 - $(nice))) "$0" "$@"
# shellcheck source=cross/arch.sh
source "$(dirname "$0")/arch.sh"
cd "$root"
[[ $sysroot_from == source ]] || { echo "libraries: $arch uses a Debian sysroot" >&2; exit 2; }
prefix=$sysroot/usr/local
work=$root/build-cross/$arch-libraries
mkdir -p "$prefix" "$work"
jobs=${JOBS:-2}

# The unpacked tree of a source package: the newest in Debian 12's archive
# (cross/source.sh fetches and unpacks it once; the host's -dev packages may
# be a point release behind, e.g. a security update the mirror has replaced).
source_tree() {
  local package=$1 tree
  tree=$(find "$root/build-cross/src" -maxdepth 1 -type d -name "$package-[0-9]*" | sort -V | tail -1)
  if [[ -z $tree ]]; then
    cross/source.sh "$package" >&2
    tree=$(find "$root/build-cross/src" -maxdepth 1 -type d -name "$package-[0-9]*" | sort -V | tail -1)
  fi
  echo "${tree:?no source tree for $package}"
}
# step NAME FUNCTION: runs once, logged; prints the time it took. The function
# runs as a background job so that `set -e` holds inside it (bash ignores it
# in a command that is the left side of ||).
step() {
  local name=$1 start=$SECONDS
  shift
  [[ -e $work/$name.done ]] && return 0
  echo "libraries: $arch $name"
  ( "$@" ) >"$work/$name.log" 2>&1 &
  if ! wait $!; then
    tail -30 "$work/$name.log"
    echo "libraries: $name failed (log: $work/$name.log)" >&2
    exit 1
  fi
  touch "$work/$name.done"
  echo "libraries: $arch $name built in $((SECONDS - start)) s"
}

openssl() {
  local src
  src=$(source_tree openssl)
  rm -rf "$work/openssl" && cp -a "$src" "$work/openssl" && cd "$work/openssl"
  # Debian's own target (debian-ppc64, debian-riscv64) and configure options;
  # OPENSSLDIR is Debian's, so the target's CA store (/usr/lib/ssl/certs ->
  # /etc/ssl/certs) is where a Debian-built libssl looks for it.
  ./Configure "debian-$deb_arch" no-shared no-module no-tests \
    --cross-compile-prefix="$triple-" --prefix=/usr/local --openssldir=/usr/lib/ssl --libdir=lib \
    no-idea no-mdc2 no-rc5 no-zlib no-ssl3 no-ssl3-method enable-rfc3779 enable-cms \
    no-capieng no-rdrand
  make -j "$jobs" build_libs
  make install_dev DESTDIR="$sysroot"
}

sqlite() {
  local src
  src=$(source_tree sqlite3)
  rm -rf "$work/sqlite" && mkdir -p "$work/sqlite" && cd "$work/sqlite"
  # The amalgamation (one sqlite3.c) is made by host tools (lemon, tclsh);
  # it is the same for every architecture, so configure for the host.
  "$src/configure" --disable-tcl >/dev/null
  make sqlite3.c
  # Compiled with the options Debian's debian/rules builds libsqlite3 with.
  "$triple-gcc" -c sqlite3.c -o sqlite3.o -O2 -fno-strict-aliasing -fstack-protector-strong \
    -D_FORTIFY_SOURCE=2 -DSQLITE_SECURE_DELETE -DSQLITE_ENABLE_COLUMN_METADATA \
    -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_FTS4 \
    -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE=1 -DSQLITE_SOUNDEX=1 \
    -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_OMIT_LOOKASIDE=1 -DSQLITE_ENABLE_DBSTAT_VTAB \
    -DSQLITE_ALLOW_ROWID_IN_VIEW -DSQLITE_ENABLE_UPDATE_DELETE_LIMIT=1 \
    -DSQLITE_ENABLE_LOAD_EXTENSION -DSQLITE_ENABLE_JSON1 -DSQLITE_LIKE_DOESNT_MATCH_BLOBS \
    -DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_FTS3_TOKENIZER=1 -DSQLITE_USE_URI=1 \
    -DSQLITE_MAX_SCHEMA_RETRY=25 -DSQLITE_ENABLE_PREUPDATE_HOOK -DSQLITE_ENABLE_SESSION \
    -DSQLITE_ENABLE_STMTVTAB -DSQLITE_MAX_VARIABLE_NUMBER=250000
  mkdir -p "$prefix/lib" "$prefix/include"
  rm -f "$prefix/lib/libsqlite3.a"
  "$triple-ar" rcs "$prefix/lib/libsqlite3.a" sqlite3.o
  cp sqlite3.h "$src/src/sqlite3ext.h" "$prefix/include/"
}

yaml_cpp() {
  local src
  src=$(source_tree yaml-cpp)
  cmake -S "$src" -B "$work/yaml-cpp" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$root/cross/$toolchain" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr/local -DYAML_BUILD_SHARED_LIBS=OFF \
    -DYAML_CPP_BUILD_TESTS=OFF -DYAML_CPP_BUILD_TOOLS=OFF -DYAML_CPP_BUILD_CONTRIB=ON
  cmake --build "$work/yaml-cpp" -j "$jobs"
  DESTDIR=$sysroot cmake --install "$work/yaml-cpp"
}

cli11() {
  local src
  src=$(source_tree cli11)
  # Header-only: configure and install the headers (no tests, examples or docs).
  cmake -S "$src" -B "$work/cli11" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$root/cross/$toolchain" \
    -DCMAKE_INSTALL_PREFIX=/usr/local -DCLI11_BUILD_TESTS=OFF -DCLI11_BUILD_EXAMPLES=OFF \
    -DCLI11_BUILD_DOCS=OFF
  DESTDIR=$sysroot cmake --install "$work/cli11"
}

boost() {
  local src
  src=$(source_tree boost1.81)
  cd "$src"
  # Debian removes the generated parser of Boost's build engine; it makes it
  # again with bison (debian/rules), and so does this.
  if [[ ! -x b2 ]]; then
    (cd tools/build && bison -y -d -o src/engine/jamgram.cpp src/engine/jamgram.y)
    ./bootstrap.sh --with-toolset=gcc
  fi
  echo "using gcc : cross : $triple-g++ ;" > "$work/boost-user-config.jam"
  # Only what et links (Boost.JSON, and Boost.Container under it) is compiled;
  # install copies every header and writes b2's CMake configs (BoostConfig).
  ./b2 --user-config="$work/boost-user-config.jam" --build-dir="$work/boost" \
    --prefix="$prefix" toolset=gcc-cross target-os=linux link=static runtime-link=shared \
    variant=release threading=multi cxxflags="-fstack-protector-strong -D_FORTIFY_SOURCE=2" \
    --with-json --with-container -j "$jobs" -d1 install
}

ET_EXTRA_PACKAGES="g++-$triple qemu-user-static dpkg-dev tcl perl bison" scripts/install-deps
export CCACHE_DIR=${CCACHE_DIR_CROSS:-$root/build-cross/ccache}
step openssl openssl
step sqlite sqlite
step yaml-cpp yaml_cpp
step cli11 cli11
step boost boost
step caf env JOBS="$jobs" CAF_BUILD_DIR="$work/caf" cross/caf.sh "$prefix" "$root/cross/$toolchain"
