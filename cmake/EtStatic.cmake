# EtStatic.cmake (ET_STATIC=ON, `make static`): a self-contained `et` that needs
# only the C library at run time. Included before the find_package calls so
# that every dependency resolves to its static archive:
# - CAF: Debian ships only shared libraries, so cross/caf.sh builds static ones
#   from Debian's source package; CMAKE_PREFIX_PATH names that prefix and
#   FindCAF also accepts CAF's static names (libcaf_core_static.a, ...).
# - OpenSSL, SQLite3: CMake's modules, with .a preferred below.
# - Boost.JSON (and Boost.Container): Debian's static variant of its config.
# - yaml-cpp: Debian's exported config knows only the shared library; its
#   generated targets file returns early when the target already exists, so
#   the static archive is declared here under the same name.
# - libstdc++ and libgcc: linked statically (-static-libstdc++ -static-libgcc).
# glibc stays shared (static-except-glibc): a statically linked glibc still
# loads NSS modules (libnss_*.so) for getaddrinfo at run time, which then must
# match the glibc the binary was linked with; see cross/README.md.
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
set(OPENSSL_USE_STATIC_LIBS TRUE)
set(Boost_USE_STATIC_LIBS ON)

if(NOT TARGET yaml-cpp)
  find_library(ET_YAML_CPP_ARCHIVE NAMES libyaml-cpp.a REQUIRED)
  find_path(ET_YAML_CPP_INCLUDE_DIR yaml-cpp/yaml.h REQUIRED)
  add_library(yaml-cpp STATIC IMPORTED)
  set_target_properties(yaml-cpp PROPERTIES
    IMPORTED_LOCATION "${ET_YAML_CPP_ARCHIVE}"
    INTERFACE_INCLUDE_DIRECTORIES "${ET_YAML_CPP_INCLUDE_DIR}")
  mark_as_advanced(ET_YAML_CPP_ARCHIVE ET_YAML_CPP_INCLUDE_DIR)
endif()
# -static-libstdc++ -static-libgcc: cmake/EtFlags.cmake, on et_flags.

# actors/et/actors/detail/openssl_errors.cpp clears OpenSSL's error queue before
# CAF's TLS calls by interposing on libssl.so; with libssl.a it uses the
# linker's --wrap instead (only that file gets the define, and only here).
function(et_static_openssl_wrap)
  set_source_files_properties(
    "${PROJECT_SOURCE_DIR}/actors/et/actors/detail/openssl_errors.cpp"
    TARGET_DIRECTORY et_actors PROPERTIES COMPILE_DEFINITIONS ET_OPENSSL_WRAP)
  target_link_options(et_flags INTERFACE
    -Wl,--wrap=SSL_read,--wrap=SSL_write,--wrap=SSL_accept,--wrap=SSL_connect)
endfunction()
