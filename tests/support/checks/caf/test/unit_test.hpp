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

// Not et::test: suites that say `using namespace et;` have test namespaces of their own.
namespace et_checks {

/// Both operands of a check: braced, so they are evaluated left to right as in CAF's own
/// macros, and every temporary they made lives until the check's full expression ends.
template <class T, class U>
struct operands {
  const T& x; ///< the left operand
  const U& y; ///< the right operand
};

/// Deduces operands<T, U> from `{x, y}`.
template <class T, class U>
operands(const T&, const U&) -> operands<T, U>;

/// Compares the operands with `Compare` and reports the check as CAF's own macros do.
template <class Compare, class T, class U>
bool compare_and_report(const char* file, size_t line, const char* expr, const operands<T, U>& o) {
  return ::caf::test::detail::check(::caf::test::engine::current_test(), file, line, expr, false,
                                    Compare{}(o.x, o.y), o.x, o.y);
}

} // namespace et_checks

#undef CAF_CHECK_FUNC
#define CAF_CHECK_FUNC(func, x_expr, y_expr)                                                       \
  do {                                                                                             \
    static_cast<void>(::et_checks::compare_and_report<func>(                                       \
        __FILE__, __LINE__, CAF_FUNC_EXPR(func, x_expr, y_expr),                                   \
        ::et_checks::operands{x_expr, y_expr}));                                                   \
    ::caf::test::engine::last_check_file(__FILE__);                                                \
    ::caf::test::engine::last_check_line(__LINE__);                                                \
  } while (false)

#undef CAF_REQUIRE_FUNC
#define CAF_REQUIRE_FUNC(func, x_expr, y_expr)                                                     \
  do {                                                                                             \
    if (!::et_checks::compare_and_report<func>(__FILE__, __LINE__,                                 \
                                               CAF_FUNC_EXPR(func, x_expr, y_expr),                \
                                               ::et_checks::operands{x_expr, y_expr}))             \
      ::caf::test::detail::requirement_failed(CAF_FUNC_EXPR(func, x_expr, y_expr));                \
    ::caf::test::engine::last_check_file(__FILE__);                                                \
    ::caf::test::engine::last_check_line(__LINE__);                                                \
  } while (false)
