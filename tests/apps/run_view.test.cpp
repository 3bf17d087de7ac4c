#define CAF_SUITE apps.run_view
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <map>
#include <sstream>
#include <string>

#include "et/app/run_view.hpp"
#include "et/util/terminal.hpp"

// The live view of `et run` on a terminal: et's own cursor movements reach the terminal,
// model-written text (subtask lines, event lines quoting errors) arrives neutralised.

using namespace et;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A run `id` of one subtask written by `member`.
store::run_record one_subtask(std::string id, std::string member, std::string text) {
  store::run_record run;
  run.header.id = std::move(id);
  store::subtask_record s;
  s.number = 1;
  s.member = std::move(member);
  s.text = std::move(text);
  run.subtasks.push_back(s);
  return run;
}

} // namespace

CAF_TEST(the live view keeps its own escapes and neutralises model text) {
  std::ostringstream terminal;
  sanitizing_streambuf buf{terminal.rdbuf()}; // what main() puts on a terminal's stream
  std::ostream err{&buf};
  app::run_view view{err, true};
  auto run = one_subtask("r1", "", "Write it\x1b]2;owned\x07\x1b[2J");
  std::map<int, app::live_figures> live;
  view.update(run, "execute", live, true);
  view.event("subtask 1 FAILED: upstream said \x1b]52;c;eA==\x07");
  view.close();
  auto shown = terminal.str();
  CAF_CHECK(has(shown, "Write it^[]2;owned^G^[[2J"));
  CAF_CHECK(has(shown, "upstream said ^[]52;c;eA==^G"));
  CAF_CHECK(!has(shown, "\x1b]"));
  CAF_CHECK(!has(shown, "\x1b[2J"));
  CAF_CHECK(has(shown, "\x1b[1A\x1b[2K")); // the redraw's own cursor movement, raw
}

CAF_TEST(the live block takes one row per line whatever the names hold) {
  std::ostringstream terminal;
  app::run_view view{terminal, true};
  auto run = one_subtask("r1\nx", "m\nn\no", "Write it");
  std::map<int, app::live_figures> live;
  view.update(run, "execute", live, true);
  auto first = terminal.str();
  // Two rows drawn (the head and the subtask), so two line ends and, next time, two erases.
  CAF_CHECK_EQUAL(std::count(first.begin(), first.end(), '\n'), 2);
  view.update(run, "execute", live, true);
  auto second = terminal.str().substr(first.size());
  CAF_CHECK(second.starts_with("\x1b[1A\x1b[2K\x1b[1A\x1b[2K\r"));
}
