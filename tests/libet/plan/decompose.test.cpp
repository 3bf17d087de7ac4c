#define CAF_SUITE libet.plan.decompose
#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

#include "et/plan/decompose.hpp"

using namespace et::plan;

namespace {

using ints = std::vector<int>;

decomposition parse(std::string_view text, size_t cap = 0) {
  auto r = parse_decomposition(text, cap);
  if (!r)
    CAF_FAIL("parse failed: " << r.error().message);
  return std::move(r).value();
}

std::vector<std::string> texts(const decomposition& d) {
  std::vector<std::string> out;
  for (const auto& s : d.subtasks)
    out.push_back(s.text);
  return out;
}

bool warned(const decomposition& d, std::string_view fragment) {
  for (const auto& w : d.warnings)
    if (w.find(fragment) != std::string::npos)
      return true;
  return false;
}

} // namespace

CAF_TEST(a summary and subtasks answer yields both with markers removed) {
  auto d = parse(R"(Here's how I'd break this down.

## Summary
Build a CLI todo manager with persistent JSON storage and tests.

## Subtasks
1. **Set up the project skeleton** [specialist: scaffolding]
2. Implement the storage layer [depends: 1]
3. Write the CLI commands (add, list, done) [depends on: 1, 2]
4. Tests [depends: 2, 3] [specialist: Testing]

Let me know if you'd like changes!
)");
  CAF_CHECK_EQUAL(d.summary, "Build a CLI todo manager with persistent JSON storage and tests.");
  CAF_REQUIRE_EQUAL(d.subtasks.size(), 4u);
  CAF_CHECK_EQUAL(d.proposed, 4u);
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{
                                "**Set up the project skeleton**", "Implement the storage layer",
                                "Write the CLI commands (add, list, done)", "Tests"}));
  CAF_CHECK_EQUAL(d.subtasks[0].specialist, "scaffolding");
  CAF_CHECK_EQUAL(d.subtasks[3].specialist, "testing");
  CAF_CHECK_EQUAL(d.subtasks[1].depends_on, ints{1});
  CAF_CHECK_EQUAL(d.subtasks[2].depends_on, (ints{1, 2}));
  CAF_CHECK_EQUAL(d.subtasks[3].depends_on, (ints{2, 3}));
  CAF_CHECK(d.warnings.empty());
  for (int i = 0; i < 4; ++i)
    CAF_CHECK_EQUAL(d.subtasks[static_cast<size_t>(i)].number, i + 1);
}

CAF_TEST(headings of any level and case open the sections) {
  auto d = parse("# SUMMARY\nShip it.\n\n#### subtasks:\n- a\n- b\n");
  CAF_CHECK_EQUAL(d.summary, "Ship it.");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"a", "b"}));
}

CAF_TEST(bold labels open the sections like headings) {
  auto d =
      parse("**Summary:** Port billing to Rust.\n\n**Subtasks:**\n1. Money type\n2. Invoices\n");
  CAF_CHECK_EQUAL(d.summary, "Port billing to Rust.");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"Money type", "Invoices"}));
}

CAF_TEST(a list right after the summary ends the summary) {
  auto d = parse("## Summary\nBuild X with a REST API.\n\n1. Schema\n2. Endpoints\n");
  CAF_CHECK_EQUAL(d.summary, "Build X with a REST API.");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"Schema", "Endpoints"}));
}

CAF_TEST(bullets in a summary stay in it when the list is numbered) {
  auto d = parse("## Summary\nGoals:\n- fast\n- small\n\n1. Parser\n2. Printer\n");
  CAF_CHECK_EQUAL(d.summary, "Goals:\n- fast\n- small");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"Parser", "Printer"}));
}

CAF_TEST(only items under a subtasks heading count when there is one) {
  auto d = parse(R"(## Summary
The service needs:
1. low latency
2. auditability

## Subtasks
1. Add request tracing
2. Add the audit log [depends: 1]

## Risks
- the audit log may grow quickly
)");
  CAF_CHECK_EQUAL(d.summary, "The service needs:\n1. low latency\n2. auditability");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"Add request tracing", "Add the audit log"}));
  CAF_CHECK_EQUAL(d.subtasks[1].depends_on, ints{1});
}

CAF_TEST(every numbering style is a list item) {
  auto d = parse("1. dot\n2) paren\nStep 3: step colon\n**4.** bold number\n**5. bold title**\n"
                 "Task 6 - task dash\n");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"dot", "paren", "step colon", "bold number",
                                                      "**bold title**", "task dash"}));
}

CAF_TEST(every bullet style is a list item) {
  auto d = parse("- dash\n* star\n+ plus\n\xE2\x80\xA2 dot\n- [ ] unchecked\n- [x] checked\n");
  CAF_CHECK_EQUAL(
      texts(d), (std::vector<std::string>{"dash", "star", "plus", "dot", "unchecked", "checked"}));
}

CAF_TEST(numbers that are not list markers stay prose) {
  auto d = parse("1.5 seconds is the budget.\nStepping through: no.\n");
  CAF_REQUIRE_EQUAL(d.subtasks.size(), 1u);
  CAF_CHECK_EQUAL(d.subtasks[0].text, "1.5 seconds is the budget.\nStepping through: no.");
}

CAF_TEST(nested bullets and continuation lines fold into their item) {
  auto d = parse(R"(1. Set up the project
   Create `pyproject.toml` and the package layout:
   - `todo/__init__.py`
   - `todo/cli.py`
       - with a `main()` entry point
2. Implement storage
   1. read the JSON file
   2. write it atomically
)");
  CAF_REQUIRE_EQUAL(d.subtasks.size(), 2u);
  CAF_CHECK_EQUAL(d.subtasks[0].text, "Set up the project\n"
                                      "Create `pyproject.toml` and the package layout:\n"
                                      "- `todo/__init__.py`\n"
                                      "- `todo/cli.py`\n"
                                      "    - with a `main()` entry point");
  CAF_CHECK_EQUAL(d.subtasks[1].text,
                  "Implement storage\n1. read the JSON file\n2. write it atomically");
}

CAF_TEST(unindented bullets under numbered items are details of those items) {
  auto d = parse("1. **Backend**\n- Flask app\n- SQLite models\n2. **Frontend**\n- React\n");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"**Backend**\n- Flask app\n- SQLite models",
                                                      "**Frontend**\n- React"}));
}

CAF_TEST(numbered sub items under bullets fold into the bullet) {
  auto d = parse("- Backend\n  1. models\n  2. routes\n- Frontend\n");
  CAF_CHECK_EQUAL(texts(d),
                  (std::vector<std::string>{"Backend\n1. models\n2. routes", "Frontend"}));
}

CAF_TEST(a paragraph between items belongs to the item before it) {
  auto d = parse("1. Write the parser\n\nIt must accept CRLF input.\n\n2. Write the printer\n");
  CAF_CHECK_EQUAL(texts(d),
                  (std::vector<std::string>{"Write the parser\n\nIt must accept CRLF input.",
                                            "Write the printer"}));
}

CAF_TEST(thematic breaks between items are not content) {
  auto d = parse("1. **Title**\n   Description   \n\n---\n\n2. **Other**\n* * *\n3. Third\n");
  CAF_CHECK_EQUAL(texts(d),
                  (std::vector<std::string>{"**Title**\nDescription", "**Other**", "Third"}));
}

CAF_TEST(a sign off after the last item is not part of it) {
  auto d = parse("1. Parser\n2. Printer\n\nLet me know if you want a different split!\n");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"Parser", "Printer"}));
}

CAF_TEST(lines inside code fences are never items or markers) {
  auto d = parse(R"(1. Add a build script [depends: 2]
   ```bash
   1. not an item [depends: 9]
   - not a bullet
   ## not a heading
   ```
2. Document it
)");
  CAF_REQUIRE_EQUAL(d.subtasks.size(), 2u);
  CAF_CHECK_EQUAL(d.subtasks[0].text, "Add a build script\n```bash\n1. not an item [depends: 9]\n"
                                      "- not a bullet\n## not a heading\n```");
  CAF_CHECK_EQUAL(d.subtasks[0].depends_on, ints{2});
  CAF_CHECK(d.warnings.empty());
}

CAF_TEST(a fence after a blank line stays with its item) {
  auto d = parse("1. Create the config\n\n```yaml\nport: 8080\n```\n");
  CAF_REQUIRE_EQUAL(d.subtasks.size(), 1u);
  CAF_CHECK_EQUAL(d.subtasks[0].text, "Create the config\n\n```yaml\nport: 8080\n```");
}

CAF_TEST(a numbered list inside a fence is not the list) {
  auto d = parse("Run these:\n```\n1. make\n2. make test\n```\n");
  CAF_REQUIRE_EQUAL(d.subtasks.size(), 1u);
  CAF_CHECK_EQUAL(d.subtasks[0].text, "Run these:\n```\n1. make\n2. make test\n```");
}

CAF_TEST(step headings are items and their bodies fold in) {
  auto d = parse(R"(# Plan

Some context first.

### Step 1: Backend
Create the Flask app.

- add routes

### Step 2: Frontend [depends: 1]

Create the React app.

### Notes
Remember to commit.
)");
  CAF_CHECK_EQUAL(d.summary, "Some context first.");
  CAF_CHECK_EQUAL(texts(d),
                  (std::vector<std::string>{"Backend\nCreate the Flask app.\n\n- add routes",
                                            "Frontend\n\nCreate the React app."}));
  CAF_CHECK_EQUAL(d.subtasks[1].depends_on, ints{1});
}

CAF_TEST(the prose before the list is the summary when no section names one) {
  auto d = parse("The user wants a REST API.\n\nRequirements:\n- fast\n- secure\n\n"
                 "1. Schema\n2. Endpoints\n");
  CAF_CHECK_EQUAL(d.summary, "The user wants a REST API.\n\nRequirements:\n- fast\n- secure");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"Schema", "Endpoints"}));
}

CAF_TEST(markers in bold and parentheses are removed tidily) {
  auto d = parse("1. Schema **[specialist: db]**\n2. Write tests [depends: 1].\n"
                 "3. [Depends_On: 2] Deploy (depends on 1)\n");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"Schema", "Write tests.", "Deploy"}));
  CAF_CHECK_EQUAL(d.subtasks[0].specialist, "db");
  CAF_CHECK_EQUAL(d.subtasks[2].depends_on, (ints{1, 2}));
}

CAF_TEST(brackets that are not markers stay in the text) {
  auto d = parse("1. Handle [optional] flags (see RFC 7230)\n");
  CAF_CHECK_EQUAL(d.subtasks[0].text, "Handle [optional] flags (see RFC 7230)");
}

CAF_TEST(dependencies refer to the numbers as written and are renumbered) {
  auto d = parse("3. Schema\n5. Endpoints [depends: 3]\n8. Tests [depends: 3, 5]\n");
  CAF_CHECK_EQUAL(d.subtasks[1].number, 2);
  CAF_CHECK_EQUAL(d.subtasks[1].depends_on, ints{1});
  CAF_CHECK_EQUAL(d.subtasks[2].depends_on, (ints{1, 2}));
}

CAF_TEST(restarted numbering makes dependencies refer to positions) {
  auto d = parse("## Backend\n1) Models\n2) Routes\n\n## Frontend\n1) Components [depends: 2]\n");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"Models", "Routes", "Components"}));
  CAF_CHECK_EQUAL(d.subtasks[2].depends_on, ints{2});
}

CAF_TEST(bullets that carry numbers keep them for references) {
  auto d = parse("- **1. Money type**\n- **2. Invoices** [depends: 1]\n");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"**Money type**", "**Invoices**"}));
  CAF_CHECK_EQUAL(d.subtasks[1].depends_on, ints{1});
}

CAF_TEST(unknown and self references are dropped with warnings) {
  auto d = parse("1. A\n2. B [depends: 2, 9, 1]\n");
  CAF_CHECK_EQUAL(d.subtasks[1].depends_on, ints{1});
  CAF_CHECK(warned(d, "subtask 2: dropped the dependency on 2, which is itself"));
  CAF_CHECK(warned(d, "subtask 2: dropped the dependency on 9, which does not exist"));
  CAF_CHECK_EQUAL(d.warnings.size(), 2u);
}

CAF_TEST(a forward dependency without a cycle is kept) {
  auto d = parse("1. Integrate [depends: 2]\n2. Library\n");
  CAF_CHECK_EQUAL(d.subtasks[0].depends_on, ints{2});
  CAF_CHECK(d.warnings.empty());
  CAF_CHECK_EQUAL(waves(d), (std::vector<ints>{{2}, {1}}));
}

CAF_TEST(a cycle is broken at the forward edge with a warning) {
  auto d = parse("1. Schema [depends: 3]\n2. API [depends: 1]\n3. Tests [depends: 2]\n");
  CAF_CHECK(d.subtasks[0].depends_on.empty());
  CAF_CHECK_EQUAL(d.subtasks[1].depends_on, ints{1});
  CAF_CHECK_EQUAL(d.subtasks[2].depends_on, ints{2});
  CAF_CHECK(warned(d, "subtask 1: dropped the dependency on 3 to break a cycle"));
  CAF_CHECK_EQUAL(waves(d), (std::vector<ints>{{1}, {2}, {3}}));
}

CAF_TEST(more items than the cap keeps the first and reports the proposal) {
  auto d = parse("1. a\n2. b\n3. c [depends: 5]\n4. d\n5. e\n", 3);
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"a", "b", "c"}));
  CAF_CHECK_EQUAL(d.proposed, 5u);
  CAF_CHECK(d.subtasks[2].depends_on.empty());
  CAF_CHECK(warned(d, "past the cap of 3"));
  CAF_CHECK(warned(d, "proposed 5 subtasks; only the first 3"));
}

CAF_TEST(a cap of zero keeps every item) {
  auto d = parse("- a\n- b\n- c\n", 0);
  CAF_CHECK_EQUAL(d.subtasks.size(), 3u);
  CAF_CHECK(d.warnings.empty());
}

CAF_TEST(items left empty by their markers are skipped with a warning) {
  auto d = parse("1. Build\n2. [depends: 1]\n3. Ship [depends: 1]\n");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"Build", "Ship"}));
  CAF_CHECK_EQUAL(d.proposed, 2u);
  CAF_CHECK_EQUAL(d.subtasks[1].depends_on, ints{1});
  CAF_CHECK(warned(d, "item 2 has no text"));
}

CAF_TEST(text without a list is one subtask) {
  auto d = parse("Just fix the typo in README.md [specialist: docs] and rerun the tests.\n"
                 "Nothing else is needed.\n");
  CAF_REQUIRE_EQUAL(d.subtasks.size(), 1u);
  CAF_CHECK_EQUAL(d.subtasks[0].text,
                  "Just fix the typo in README.md and rerun the tests.\nNothing else is needed.");
  CAF_CHECK_EQUAL(d.subtasks[0].specialist, "docs");
  CAF_CHECK_EQUAL(d.summary, "");
  CAF_CHECK_EQUAL(d.proposed, 1u);
}

CAF_TEST(text without a list leaves out the summary section) {
  auto d = parse("## Summary\nA tiny fix.\n\n## Work\nFix the typo in README.md.\n");
  CAF_CHECK_EQUAL(d.summary, "A tiny fix.");
  CAF_REQUIRE_EQUAL(d.subtasks.size(), 1u);
  CAF_CHECK_EQUAL(d.subtasks[0].text, "## Work\nFix the typo in README.md.");
}

CAF_TEST(an answer that is only a summary makes the summary the subtask) {
  auto d = parse("Summary: rename the config key\n");
  CAF_CHECK_EQUAL(d.summary, "rename the config key");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"rename the config key"}));
}

CAF_TEST(empty or blank text is a failure) {
  for (auto text : {"", "   \n\n\t\n"}) {
    auto r = parse_decomposition(text, 5);
    CAF_REQUIRE(!r);
    CAF_CHECK_EQUAL(r.error().code, et::errc::invalid_input);
  }
}

CAF_TEST(crlf input parses like lf input) {
  auto d = parse("## Subtasks\r\n1. A\r\n   detail\r\n2. B [depends: 1]\r\n\r\nThanks.\r\n");
  CAF_CHECK_EQUAL(texts(d), (std::vector<std::string>{"A\ndetail", "B"}));
  CAF_CHECK_EQUAL(d.subtasks[1].depends_on, ints{1});
}

CAF_TEST(waves group independent subtasks) {
  auto d = parse("1. Schema\n2. Docs\n3. API [depends: 1]\n4. UI [depends: 1]\n"
                 "5. E2E tests [depends: 3, 4]\n6. Release [depends: 2, 5]\n");
  CAF_CHECK_EQUAL(waves(d), (std::vector<ints>{{1, 2}, {3, 4}, {5}, {6}}));
}

CAF_TEST(waves of a hand made cycle end in one last wave) {
  decomposition d;
  d.subtasks = {{1, "a", {}, ""}, {2, "b", {3}, ""}, {3, "c", {2, 7}, ""}};
  CAF_CHECK_EQUAL(waves(d), (std::vector<ints>{{1}, {2, 3}}));
}

CAF_TEST(waves of nothing are empty) {
  CAF_CHECK(waves(decomposition{}).empty());
}
