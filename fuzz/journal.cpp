// Fuzz target: the run journal reader (et/store/journal read_run) on arbitrary journal.jsonl
// bytes, plus a writer/reader round trip of the input as free text. Files live in a private
// folder under /dev/shm (tmpfs: the writer's fdatasync costs nothing), removed at exit.
// Invariants: reading is deterministic; subtasks are kept by number, ascending, each once;
// damaged lines are at most the lines; text the writer journals (task, warning, final
// answer) reads back exactly when ASCII, and as a text that round-trips otherwise.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "et/store/journal.hpp"
#include "fuzz_support.hpp"

namespace fs = std::filesystem;

namespace {

// The private folder, made once and removed when the fuzzer exits. Never destroyed itself: the
// exit handler is registered while it is made, so it would run after a static's destructor.
const fs::path& scratch() {
  static const fs::path& dir = *new fs::path{[] {
    fs::path base = fs::exists("/dev/shm") ? fs::path{"/dev/shm"} : fs::temp_directory_path();
    auto d = base / ("et-fuzz-journal-" + std::to_string(::getpid()));
    fs::create_directories(d / "read");
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(scratch(), ec);
    });
    return d;
  }()};
  return dir;
}

bool same(const et::store::run_record& a, const et::store::run_record& b) {
  return a.header == b.header && a.status == b.status && a.summary == b.summary
         && a.brief == b.brief && a.warnings == b.warnings && a.subtasks == b.subtasks
         && a.verifications == b.verifications && a.phases == b.phases
         && a.final_output == b.final_output && a.tokens == b.tokens
         && a.finished_ms == b.finished_ms && a.resumes == b.resumes
         && a.damaged_lines == b.damaged_lines;
}

void read_bytes(std::string_view input) {
  auto dir = scratch() / "read";
  {
    std::ofstream out{dir / "journal.jsonl", std::ios::binary | std::ios::trunc};
    out.write(input.data(), static_cast<std::streamsize>(input.size()));
  }
  auto r = et::store::read_run(dir);
  auto again = et::store::read_run(dir);
  FUZZ_CHECK(r.has_value() == again.has_value(), "reading is not deterministic");
  if (!r)
    return;
  FUZZ_CHECK(same(*r, *again), "reading is not deterministic");
  size_t lines = static_cast<size_t>(std::count(input.begin(), input.end(), '\n')) + 1;
  FUZZ_CHECK(r->damaged_lines < lines, "more damaged lines than lines");
  for (size_t i = 0; i < r->subtasks.size(); ++i) {
    FUZZ_CHECK(r->subtasks[i].number > 0, "a subtask numbered <= 0");
    FUZZ_CHECK(i == 0 || r->subtasks[i - 1].number < r->subtasks[i].number,
               "subtasks out of order or twice");
    FUZZ_CHECK(r->find(r->subtasks[i].number) == &r->subtasks[i], "find misses a subtask");
  }
}

// Writes `text` as a run's task, a warning and the final answer, and reads the run back.
et::store::run_record write_and_read(const std::string& text) {
  auto runs = scratch() / "runs";
  std::error_code ec;
  fs::remove_all(runs, ec);
  et::store::run_header h;
  h.id = "run";
  h.started_ms = 1767225600000;
  h.task = text;
  auto w = et::store::journal_writer::create(runs, h);
  FUZZ_CHECK(w.has_value(), "cannot create a journal");
  FUZZ_CHECK(w->warning(text).has_value(), "cannot write a warning");
  FUZZ_CHECK(w->final_output(text).has_value(), "cannot write the answer");
  auto r = et::store::read_run(runs / "run");
  FUZZ_CHECK(r.has_value(), "a written journal does not read");
  FUZZ_CHECK(r->damaged_lines == 0, "a written line reads as damaged");
  FUZZ_CHECK(r->warnings.size() == 1 && r->warnings[0] == r->header.task
                 && r->final_output == r->header.task,
             "one text written three times reads back three ways");
  h.task = r->header.task;
  FUZZ_CHECK(r->header == h, "the header does not round-trip");
  return std::move(*r);
}

// The writer stores valid UTF-8 (invalid bytes become U+FFFD), so ASCII comes back exactly and
// anything else comes back as a text that itself round-trips.
void round_trip(std::string_view input) {
  auto first = write_and_read(std::string{input});
  bool ascii = std::all_of(input.begin(), input.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii)
    FUZZ_CHECK(first.header.task == input, "ASCII text does not round-trip");
  auto second = write_and_read(first.header.task);
  FUZZ_CHECK(second.header.task == first.header.task, "journalled text does not round-trip");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = et::fuzz::bytes(data, size);
  read_bytes(input);
  round_trip(input);
  return 0;
}
