#define CAF_SUITE libet.plan.locations
#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

#include "et/plan/locations.hpp"

using namespace et::plan;

namespace {

using paths = std::vector<std::string>;

const paths project{
    "src/main.cpp",       "src/util/strings.cpp", "include/util/strings.hpp",
    "app/models.py",      "tests/test_models.py", "web/index.js",
    "cmd/server/main.go", "src/main.rs",          "src/lib.rs",
    "Makefile",           "web/app.ts",           "src/main/java/com/acme/Billing.java"};

} // namespace

CAF_TEST(gcc and clang locations name their files) {
  auto output = R"(In file included from src/main.cpp:3:
include/util/strings.hpp:12:5: error: 'string_view' does not name a type
   12 |     string_view trim(string_view s);
      |     ^~~~~~~~~~~
src/main.cpp: In function 'int main()':
src/main.cpp:9:3: error: 'trim' was not declared in this scope
ninja: build stopped: subcommand failed.
)";
  CAF_CHECK_EQUAL(files_in_output(output, project),
                  (paths{"src/main.cpp", "include/util/strings.hpp"}));
}

CAF_TEST(python tracebacks and pytest ids name their files) {
  auto output = R"(tests/test_models.py::test_total FAILED
Traceback (most recent call last):
  File "/home/ci/work/app/models.py", line 42, in total
    return sum(x.price for x in items)
TypeError: unsupported operand type(s)
)";
  CAF_CHECK_EQUAL(files_in_output(output, project),
                  (paths{"tests/test_models.py", "app/models.py"}));
}

CAF_TEST(node stack frames name their files) {
  auto output = "TypeError: x is undefined\n"
                "    at render (/srv/build/web/index.js:3:5)\n"
                "    at web/index.js:10:1\n";
  CAF_CHECK_EQUAL(files_in_output(output, project), (paths{"web/index.js"}));
}

CAF_TEST(go locations name their files) {
  auto output = "# example.com/cmd/server\n./cmd/server/main.go:12:3: undefined: handler\n";
  CAF_CHECK_EQUAL(files_in_output(output, project), (paths{"cmd/server/main.go"}));
}

CAF_TEST(rust arrows name their files) {
  auto output = R"(error[E0425]: cannot find value `x` in this scope
 --> src/lib.rs:3:5
  |
3 |     x + 1
  |     ^ not found in this scope
)";
  CAF_CHECK_EQUAL(files_in_output(output, project), (paths{"src/lib.rs"}));
}

CAF_TEST(msvc and tsc parenthesised locations name their files) {
  auto output = "C:\\build\\src\\util\\strings.cpp(12): error C2065: 'x': undeclared identifier\n"
                "web/app.ts(3,5): error TS2304: Cannot find name 'y'.\n";
  CAF_CHECK_EQUAL(files_in_output(output, project), (paths{"src/util/strings.cpp", "web/app.ts"}));
}

CAF_TEST(java stack frames name their files by a unique suffix) {
  auto output = "Exception in thread \"main\" java.lang.NullPointerException\n"
                "\tat com.acme.Billing.total(Billing.java:27)\n";
  CAF_CHECK_EQUAL(files_in_output(output, project), (paths{"src/main/java/com/acme/Billing.java"}));
}

CAF_TEST(make locations name a file without an extension) {
  CAF_CHECK_EQUAL(files_in_output("Makefile:4: *** missing separator.  Stop.\n", project),
                  (paths{"Makefile"}));
}

CAF_TEST(a unique suffix matches and an ambiguous one does not ) {
  CAF_CHECK_EQUAL(files_in_output("util/strings.cpp:3:1: error: x\n", project),
                  (paths{"src/util/strings.cpp"}));
  CAF_CHECK(files_in_output("util.c:3:1: error: x\n", paths{"a/util.c", "b/util.c"}).empty());
}

CAF_TEST(a suffix must end at a directory boundary) {
  CAF_CHECK(files_in_output("ain.cpp:3:1: error: x\n", project).empty());
}

CAF_TEST(an absolute path matches the longest known path it ends with) {
  paths known{"main.cpp", "src/main.cpp"};
  CAF_CHECK_EQUAL(files_in_output("/tmp/out/src/main.cpp:3:1: error\n", known),
                  (paths{"src/main.cpp"}));
}

CAF_TEST(colour codes around locations are ignored) {
  auto output = "\x1b[1m\x1b[31msrc/main.cpp:9:3:\x1b[0m \x1b[1merror:\x1b[0m oops\n";
  CAF_CHECK_EQUAL(files_in_output(output, project), (paths{"src/main.cpp"}));
}

CAF_TEST(files are reported once in order of first mention) {
  auto output = "src/lib.rs:1:1: e\nsrc/main.rs:2:2: e\nsrc/lib.rs:3:3: e\n";
  CAF_CHECK_EQUAL(files_in_output(output, project), (paths{"src/lib.rs", "src/main.rs"}));
}

CAF_TEST(names without a location are not reported) {
  auto output = "Compiling src/main.rs\nAll tests in tests/test_models.py passed\nTime: 12:30\n";
  CAF_CHECK(files_in_output(output, project).empty());
}

CAF_TEST(known paths with backslashes are matched and returned as given) {
  paths known{"src\\win.cpp"};
  CAF_CHECK_EQUAL(files_in_output("src/win.cpp(3): error C1\n", known), known);
}

CAF_TEST(empty output or no known paths give nothing) {
  CAF_CHECK(files_in_output("", project).empty());
  CAF_CHECK(files_in_output("src/main.cpp:1:1: error\n", {}).empty());
}
