# EtFlags.cmake: one interface target, et_flags, that every et target links to
# get the language level, warnings, -Werror (ET_WERROR) and sanitizers
# (ET_SANITIZE, e.g. "address,undefined").
add_library(et_flags INTERFACE)
target_compile_features(et_flags INTERFACE cxx_std_20)
target_compile_options(et_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  # Value types are built from their leading fields (message{role::user, text}); the rest keep
  # their default member initializers (C++ never leaves an omitted field indeterminate), so a
  # new field at the end does not mean a hundred edits.
  -Wno-missing-field-initializers)
if(ET_WERROR)
  target_compile_options(et_flags INTERFACE -Werror)
endif()
if(ET_SANITIZE)
  target_compile_options(et_flags INTERFACE
    -fsanitize=${ET_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all
    # GCC 12's flow analysis reports false maybe-uninitialized warnings inside
    # libstdc++ (std::function in <regex>) once sanitizers instrument the code.
    -Wno-maybe-uninitialized)
  target_link_options(et_flags INTERFACE -fsanitize=${ET_SANITIZE})
  if(ET_SANITIZE MATCHES "undefined")
    # Null-reference checks alone stay recoverable so that ubsan.supp can name the one
    # CAF 0.17 header idiom that trips them (see there); UBSAN_OPTIONS=halt_on_error=1
    # (cmake/EtTestSanitizers.cmake) still makes every other such report fatal.
    target_compile_options(et_flags INTERFACE -fsanitize-recover=null)
  endif()
  if(ET_SANITIZE MATCHES "thread")
    # GCC warns that TSan does not model std::atomic_thread_fence, which Boost.Asio's
    # fenced blocks use; the warning names a TSan limit, not a defect of ours.
    target_compile_options(et_flags INTERFACE -Wno-tsan)
  endif()
endif()
# ET_FUZZ: every et target gets libFuzzer's coverage instrumentation plus ASan
# and UBSan (only the fuzz binaries link the fuzzer runtime), and assertions
# stay on whatever the build type.
if(ET_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ET_FUZZ needs clang: configure with CC=clang CXX=clang++ (see `make fuzz`)")
  endif()
  target_compile_options(et_flags INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=all -UNDEBUG)
  target_link_options(et_flags INTERFACE -fsanitize=address,undefined)
endif()
# ET_STATIC (cmake/EtStatic.cmake): the C++ runtime goes into the binary too.
if(ET_STATIC)
  target_link_options(et_flags INTERFACE -static-libstdc++ -static-libgcc)
endif()
# Boost.Asio/Beast: no deprecated interfaces, and no implicit Boost.System link.
target_compile_definitions(et_flags INTERFACE
  BOOST_ASIO_NO_DEPRECATED)
