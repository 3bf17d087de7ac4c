#pragma once
// The journal suites' fixture (journal.test.cpp, journal_damage.test.cpp): a runs dir in a
// scratch folder, a header and plan to write, and raw access to the journal file.

#include "caf/test/unit_test.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "et/store/journal.hpp"
#include "temp_dir.hpp"

namespace journal_test {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void append_raw(const fs::path& file, const std::string& bytes) {
  std::ofstream{file, std::ios::binary | std::ios::app} << bytes;
}

inline et::store::run_header header(std::string id, int64_t started_ms = 1'700'000'000'000) {
  et::store::run_header h;
  h.id = std::move(id);
  h.started_ms = started_ms;
  h.task = "write a parser\nwith tests";
  h.config = "/etc/et.yaml";
  h.supervisor_role = "mayor";
  h.worker_role = "polecat";
  h.max_subtasks = 4;
  h.output_dir = "/tmp/out";
  h.verify = "make test";
  h.max_iterations = 2;
  h.synthesize = false;
  h.review = true;
  h.refine = false;
  return h;
}

inline et::plan::decomposition two_subtasks() {
  et::plan::decomposition d;
  d.summary = "two steps";
  d.subtasks = {{1, "write it", {}, ""}, {2, "test it", {1}, "qa"}};
  d.proposed = 3;
  d.warnings = {"kept 2 of 3 subtasks"};
  return d;
}

inline et::store::subtask_record done_subtask() {
  et::store::subtask_record s;
  s.number = 1;
  s.text = "write it";
  s.state = et::store::subtask_state::done;
  s.member = "fast";
  s.provider = "sim";
  s.model = "m1";
  s.output = "here it is";
  s.tokens = et::usage{10, 20, 3, 4, 5};
  s.usd = 0.25;
  s.attempts = 2;
  s.elapsed_ms = 1500;
  s.score = 0.75;
  s.files = {"src/a.cpp"};
  s.context = {"src/a.cpp:1-20", "docs/x.md:3-9"};
  return s;
}

struct fixture : et::test::scratch_dir {
  fs::path runs;

  fixture() : scratch_dir("journal") { runs = dir / "runs"; }

  et::store::journal_writer start(const std::string& id, int64_t started_ms = 1'700'000'000'000) {
    auto w = et::store::journal_writer::create(runs, header(id, started_ms));
    CAF_REQUIRE(w);
    return std::move(*w);
  }

  fs::path journal(const std::string& id) { return runs / id / "journal.jsonl"; }
};

} // namespace journal_test
