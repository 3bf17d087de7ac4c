#define CAF_SUITE libet.plan.files
#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

#include "et/plan/files.hpp"

using namespace et::plan;

namespace {

using blocks = std::vector<file_block>;

} // namespace

CAF_TEST(the documented format is read with exact content) {
  auto answer = "Here is the entry point.\n\n```file path=src/main.cpp\n#include <cstdio>\n\n"
                "int main() { std::puts(\"hi\"); }\n```\n\nDone.\n";
  CAF_CHECK_EQUAL(
      parse_file_blocks(answer),
      (blocks{{"src/main.cpp", "#include <cstdio>\n\nint main() { std::puts(\"hi\"); }\n"}}));
}

CAF_TEST(path keys anywhere in the info string name the file) {
  auto answer = "```cpp title=\"src/a.cpp\"\nA\n```\n"
                "```python path='app/main.py' linenums\nB\n```\n"
                "```filename=lib/x.rs\nC\n```\n"
                "```ts file=\"web/my app.ts\"\nD\n```\n";
  CAF_CHECK_EQUAL(parse_file_blocks(answer), (blocks{{"src/a.cpp", "A\n"},
                                                     {"app/main.py", "B\n"},
                                                     {"lib/x.rs", "C\n"},
                                                     {"web/my app.ts", "D\n"}}));
}

CAF_TEST(a language colon path info string names the file) {
  CAF_CHECK_EQUAL(parse_file_blocks("```python:app/main.py\nprint(1)\n```\n"),
                  (blocks{{"app/main.py", "print(1)\n"}}));
}

CAF_TEST(a heading or bold line above a fence names the file) {
  auto answer = R"(### File: src/util.hpp
```cpp
#pragma once
```

**docs/guide.txt**

```
guide
```

`Makefile.in`:
```make
all:
```

1. **`scripts/run.sh`**
```sh
echo hi
```

File: `config/app.yaml` (the defaults)
```yaml
port: 1
```
)";
  CAF_CHECK_EQUAL(parse_file_blocks(answer), (blocks{{"src/util.hpp", "#pragma once\n"},
                                                     {"docs/guide.txt", "guide\n"},
                                                     {"Makefile.in", "all:\n"},
                                                     {"scripts/run.sh", "echo hi\n"},
                                                     {"config/app.yaml", "port: 1\n"}}));
}

CAF_TEST(prose above a fence does not name a file) {
  auto answer = "Here is an example of how to run it:\n```bash\nmake test\n```\n"
                "### Usage\n```\n./app --help\n```\n";
  CAF_CHECK(parse_file_blocks(answer).empty());
}

CAF_TEST(a label only names the fence right below it) {
  auto answer = "### src/a.cpp\nSome words in between.\n```cpp\nx\n```\n";
  CAF_CHECK(parse_file_blocks(answer).empty());
}

CAF_TEST(a longer fence holds a file that contains fences) {
  auto answer = "````file path=docs/README.md\n# Title\n\n```bash\nmake\n```\n````\n"
                "~~~file path=notes.md\n```\nx\n```\n~~~\n";
  CAF_CHECK_EQUAL(parse_file_blocks(answer),
                  (blocks{{"docs/README.md", "# Title\n\n```bash\nmake\n```\n"},
                          {"notes.md", "```\nx\n```\n"}}));
}

CAF_TEST(a markdown file may nest same length fences with a language) {
  auto answer = "```file path=README.md\n# Hello\n```bash\nmake\n```\nDone.\n```\n"
                "```file path=b.txt\nb\n```\n";
  CAF_CHECK_EQUAL(
      parse_file_blocks(answer),
      (blocks{{"README.md", "# Hello\n```bash\nmake\n```\nDone.\n"}, {"b.txt", "b\n"}}));
}

CAF_TEST(a fence inside a code file closes at the first bare fence) {
  auto answer = "```file path=gen.py\nDOC = '''\n```python\n```\nrest\n```\n";
  CAF_CHECK_EQUAL(parse_file_blocks(answer), (blocks{{"gen.py", "DOC = '''\n```python\n"}}));
}

CAF_TEST(fences without a path are skipped along with their content) {
  auto answer = "```\n```file path=inside.txt\nnot a file\n```\n```file path=real.txt\nreal\n```\n";
  CAF_CHECK_EQUAL(parse_file_blocks(answer), (blocks{{"real.txt", "real\n"}}));
}

CAF_TEST(content keeps blank lines and trailing white space exactly) {
  auto answer = "```file path=a.txt\n\n  indented  \n\n\n```\n";
  CAF_CHECK_EQUAL(parse_file_blocks(answer), (blocks{{"a.txt", "\n  indented  \n\n\n"}}));
}

CAF_TEST(an empty block is an empty file) {
  CAF_CHECK_EQUAL(parse_file_blocks("```file path=empty.txt\n```\n"), (blocks{{"empty.txt", ""}}));
}

CAF_TEST(an indented fence loses its indentation only) {
  auto answer = "1. Create the script:\n   ```file path=run.sh\n   echo hi\n     nested\n   ```\n";
  CAF_CHECK_EQUAL(parse_file_blocks(answer), (blocks{{"run.sh", "echo hi\n  nested\n"}}));
}

CAF_TEST(crlf input keeps crlf content and clean paths) {
  auto answer = "```file path=win.bat\r\n@echo off\r\necho hi\r\n```\r\n";
  CAF_CHECK_EQUAL(parse_file_blocks(answer), (blocks{{"win.bat", "@echo off\r\necho hi\r\n"}}));
}

CAF_TEST(a leading dot slash is dropped from paths) {
  CAF_CHECK_EQUAL(parse_file_blocks("```file path=./src/x.c\nx\n```\n"),
                  (blocks{{"src/x.c", "x\n"}}));
}

CAF_TEST(an unclosed fence is not a file block) {
  auto answer = "```file path=ok.txt\nok\n```\n```file path=cut.txt\nhalf of a fi";
  CAF_CHECK_EQUAL(parse_file_blocks(answer), (blocks{{"ok.txt", "ok\n"}}));
}

CAF_TEST(a path named twice appears twice in order) {
  auto answer = "```file path=a.txt\nv1\n```\n```file path=a.txt\nv2\n```\n";
  CAF_CHECK_EQUAL(parse_file_blocks(answer), (blocks{{"a.txt", "v1\n"}, {"a.txt", "v2\n"}}));
}

CAF_TEST(a closing fence at the very end needs no newline) {
  CAF_CHECK_EQUAL(parse_file_blocks("```file path=a.txt\nx\n```"), (blocks{{"a.txt", "x\n"}}));
}

CAF_TEST(text without fences has no file blocks) {
  CAF_CHECK(parse_file_blocks("").empty());
  CAF_CHECK(parse_file_blocks("No files this time.\n").empty());
}

CAF_TEST(the instructions show the format they ask for) {
  auto text = file_block_instructions();
  CAF_CHECK(text.find("```file path=") != std::string::npos);
  CAF_CHECK(text.find("````") != std::string::npos);
  // The example in the instructions parses as what it demonstrates.
  auto parsed = parse_file_blocks(text);
  CAF_REQUIRE_EQUAL(parsed.size(), 1u);
  CAF_CHECK_EQUAL(parsed[0].path, "src/main.cpp");
}

CAF_TEST(mode 755 in the info string marks a file executable and nothing else does) {
  auto answer = "```file path=run.sh mode=755\n#!/bin/sh\n```\n"
                "```sh path=b.sh mode=\"0755\"\nB\n```\n"
                "```file path=c.sh\n#!/bin/sh\n```\n"
                "```file path=d.sh mode=4755\nD\n```\n"
                "```file path=e.txt mode=644\nE\n```\n"
                "### f.sh\n```sh\n#!/bin/sh\n```\n";
  CAF_CHECK_EQUAL(parse_file_blocks(answer), (blocks{{"run.sh", "#!/bin/sh\n", true},
                                                     {"b.sh", "B\n", true},
                                                     {"c.sh", "#!/bin/sh\n", false},
                                                     {"d.sh", "D\n", false},
                                                     {"e.txt", "E\n", false},
                                                     {"f.sh", "#!/bin/sh\n", false}}));
  CAF_CHECK(file_block_instructions().find("mode=755") != std::string::npos);
}

CAF_TEST(a scan names the block never closed and the file fence without a path) {
  auto scan = scan_file_blocks("```file path=a.txt\nA\n```\n\n```file\nno path\n```\n\n"
                               "```file path=src/b.cpp\nint b;\n");
  CAF_REQUIRE_EQUAL(scan.blocks.size(), 1u);
  CAF_CHECK_EQUAL(scan.blocks[0].path, "a.txt");
  CAF_REQUIRE_EQUAL(scan.problems.size(), 2u);
  CAF_CHECK(scan.problems[0].find("line 5") != std::string::npos);
  CAF_CHECK(scan.problems[0].find("names no path") != std::string::npos);
  CAF_CHECK(scan.problems[1].find("src/b.cpp") != std::string::npos);
  CAF_CHECK(scan.problems[1].find("never closed") != std::string::npos);
  // Examples (a fence with a language and no path) are no problem.
  CAF_CHECK(scan_file_blocks("```python\nprint(1)\n```\n").problems.empty());
  CAF_CHECK(scan_file_blocks("```file path=x\nX\n```\n").problems.empty());
}
