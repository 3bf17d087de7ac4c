# EtTestSanitizers.cmake: how ctest runs a test of a sanitizer build (ET_SANITIZE).
# et_sanitized_test(<test> <exe>) wraps the test in cmake/sanitizers/run-checked and
# gives it the sanitizer options below:
# - every report fails the test: -fno-sanitize-recover=all (EtFlags.cmake) plus
#   halt_on_error for ASan and UBSan, and run-checked fails the test when any of its
#   processes wrote a report (TSan goes on after a report, so one run lists them all);
# - ASan's leak checker is on (detect_leaks=1), with init-order checking;
# - GCC 12's UBSan ignores log_path when linked with ASan: its reports go to stderr, and
#   halt_on_error makes the reporting process exit 1, which fails the test when that
#   process is the test itself (a child `et` fails only the checks on its exit code);
# - suppressions come only from cmake/sanitizers/*.supp, each entry with its reason;
# - timeouts grow by ET_SANITIZE_TIMEOUT_FACTOR (sanitized code runs several times slower).
set(_et_supp "${PROJECT_SOURCE_DIR}/cmake/sanitizers")
# The every-split suites over recorded streams (libet/wire/openai) are quadratic in the
# stream's length: under ASan at -O0 they took 6 minutes on a loaded 2-core machine.
if(ET_SANITIZE MATCHES "thread")
  set(_et_default_factor 8)
else()
  set(_et_default_factor 5)
endif()
set(ET_SANITIZE_TIMEOUT_FACTOR "${_et_default_factor}" CACHE STRING
    "Test timeouts are multiplied by this in a sanitizer build")

function(et_sanitized_test test exe timeout)
  if(NOT ET_SANITIZE)
    return()
  endif()
  set(dir "${PROJECT_BINARY_DIR}/sanitizer-reports/${exe}")
  math(EXPR scaled "${timeout} * ${ET_SANITIZE_TIMEOUT_FACTOR}")
  set(common "print_suppressions=0:strip_path_prefix=${PROJECT_SOURCE_DIR}/")
  set(env
    "ASAN_OPTIONS=${common}:halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:suppressions=${_et_supp}/asan.supp:log_path=${dir}/asan"
    "LSAN_OPTIONS=${common}:suppressions=${_et_supp}/lsan.supp"
    "UBSAN_OPTIONS=${common}:halt_on_error=1:print_stacktrace=1:suppressions=${_et_supp}/ubsan.supp:log_path=${dir}/ubsan"
    "TSAN_OPTIONS=${common}:halt_on_error=0:second_deadlock_stack=1:suppressions=${_et_supp}/tsan.supp:log_path=${dir}/tsan")
  add_test(NAME ${test}
           COMMAND "${_et_supp}/run-checked" "${dir}" $<TARGET_FILE:${exe}> ${ARGN}
                   -r ${scaled})
  set_tests_properties(${test} PROPERTIES ENVIRONMENT "${env}" TIMEOUT ${scaled})
endfunction()
