#pragma once
/// CAF 0.17's unit_test.hpp, with its comparison checks made safe for temporaries.
///
/// Every suite includes "caf/test/unit_test.hpp" (or dsl.hpp, which includes it);
/// tests/support/checks is the first folder on every test's include path (tests/CMakeLists.txt),
/// so this file is found first and pulls in CAF's own with #include_next.
///
/// CAF's CAF_CHECK_EQUAL and its kin bind each argument with `auto&& x = expr;`: for
/// `store.admit(use)->id` that is a reference into a result that is gone at the `;`, and the
/// comparison reads freed stack (three such tests reached CI before ASan caught them). Here both
/// arguments go straight into one call, so every temporary lives until the check has compared
/// and printed them. tests/support/checks.test.cpp fails without this file.

// #include_next is a GCC (and Clang) extension that -Wpedantic flags; a system header may use it.
#pragma GCC system_header
#include_next <caf/test/unit_test.hpp>

namespace et::test {

/// Compares `x` and `y` with `Compare` and reports the check as CAF's own macros do.
template <class Compare, class T, class U>
bool compare_and_report(const char* file, size_t line, const char* expr, const T& x, const U& y) {
  return ::caf::test::detail::check(::caf::test::engine::current_test(), file, line, expr, false,
                                    Compare{}(x, y), x, y);
}

} // namespace et::test

#undef CAF_CHECK_FUNC
#define CAF_CHECK_FUNC(func, x_expr, y_expr)                                                       \
  do {                                                                                             \
    static_cast<void>(::et::test::compare_and_report<func>(                                        \
        __FILE__, __LINE__, CAF_FUNC_EXPR(func, x_expr, y_expr), x_expr, y_expr));                 \
    ::caf::test::engine::last_check_file(__FILE__);                                                \
    ::caf::test::engine::last_check_line(__LINE__);                                                \
  } while (false)

#undef CAF_REQUIRE_FUNC
#define CAF_REQUIRE_FUNC(func, x_expr, y_expr)                                                     \
  do {                                                                                             \
    if (!::et::test::compare_and_report<func>(                                                     \
            __FILE__, __LINE__, CAF_FUNC_EXPR(func, x_expr, y_expr), x_expr, y_expr))              \
      ::caf::test::detail::requirement_failed(CAF_FUNC_EXPR(func, x_expr, y_expr));                \
    ::caf::test::engine::last_check_file(__FILE__);                                                \
    ::caf::test::engine::last_check_line(__LINE__);                                                \
  } while (false)
