#pragma once
/// What the run's later-phase suites share (run_phases, run_stops): a plan of two subtasks
/// that write files, and small helpers.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace et::test::run_files {

// Two independent subtasks; both write shared.txt, the first also a.txt. A fix request
// (it names what to fix) rewrites a.txt. `LATENCY` is replaced per test.
inline const char* files_yaml = R"(
providers:
  boss:
    type: mock
    mock:
      mode: script
      script:
        - {match: "Reply in exactly this format", reply: "## Summary\nTwo parts.\n\n## Subtasks\n1. Write the FIRST-PART\n2. Write the SECOND-PART\n"}
        - {match: "", reply: "SYNTHESIS"}
  work:
    type: mock
    mock:
      mode: script
      latency: LATENCY
      script:
        - {match: "could not be written as you gave them", reply: "```file path=a.txt\nbroken\n```\n```file path=shared.txt\none\n```\n"}
        - {match: "What to fix", reply: "```file path=a.txt\nfixed\n```\n"}
        - {match: "Results you build on", reply: "SECOND-AFTER-FIRST"}
        - {match: "FIRST-PART", reply: "```file path=a.txt\nbroken\n```\n```file path=shared.txt\none\n```\n"}
        - {match: "SECOND-PART", reply: "```file path=shared.txt\ntwo\n```\n"}
models:
  planner: {provider: boss, model: planner}
  good: {provider: work, model: good}
roles:
  mayor: {model: planner}
  polecat: {model: good}
retry: {attempts: 1}
)";

inline std::string yaml_with_latency(const std::string& latency) {
  std::string yaml = files_yaml;
  yaml.replace(yaml.find("LATENCY"), 7, latency);
  return yaml;
}

inline bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

inline std::string slurp(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace et::test::run_files
