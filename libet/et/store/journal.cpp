// Writing the run journal: creating and reopening the run folder, appending JSON lines (each
// with one write(2), made durable with fdatasync before the call returns) and replacing outputs
// atomically. journal_events.cpp encodes the events; journal_read.cpp reads them back.

#include "et/store/journal.hpp"
#include "et/store/detail/journal_lines.hpp"
#include "et/util/json_text.hpp"
#include "et/util/private_files.hpp"
#include "et/util/text.hpp"

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace et::store {

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using detail::event;
using detail::journal_file;
using detail::line_of;
using detail::to_json;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

failure io_failure(const char* what, const fs::path& file, int err) {
  return make_failure(errc::io_error, std::string{"journal: "} + what + " " + file.string() + ": "
                                          + std::strerror(err));
}

// A new file's name is durable only once its folder is synced.
void sync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// The outputs folder and its files, when there are any; temporary files a crash left go.
void tighten_outputs(const fs::path& run_dir) {
  std::error_code ec;
  auto outputs = run_dir / "outputs";
  if (!fs::is_directory(fs::symlink_status(outputs, ec)))
    return;
  (void)make_private_dir(outputs);
  remove_stale_temps(outputs, false);
  for (const auto& e : fs::directory_iterator{outputs, ec})
    tighten_private_file(e.path());
}

// -- encoding ---------------------------------------------------------------------------------

json::object started_event(const run_header& h) {
  auto e = event("started");
  e["id"] = h.id;
  e["started_ms"] = h.started_ms;
  e["task"] = h.task;
  e["config"] = h.config;
  e["supervisor_role"] = h.supervisor_role;
  e["worker_role"] = h.worker_role;
  e["max_subtasks"] = h.max_subtasks;
  e["output_dir"] = h.output_dir;
  e["verify"] = h.verify;
  e["max_iterations"] = h.max_iterations;
  e["synthesize"] = h.synthesize;
  e["review"] = h.review;
  e["refine"] = h.refine;
  e["coordinate"] = h.coordinate;
  e["accept"] = to_json(h.accept);
  e["min_score"] = h.min_score;
  e["max_reasks"] = h.max_reasks;
  e["verify_timeout_s"] = h.verify_timeout_s;
  e["sandbox"] = h.sandbox;
  e["context"] = h.context;
  e["seal"] = h.seal;
  return e;
}

} // namespace

namespace detail {

json::object event(const char* name) {
  return json::object{{"event", name}, {"at", now_ms()}};
}

json::array to_json(const std::vector<int>& v) {
  return json::array(v.begin(), v.end());
}

json::array to_json(const std::vector<std::string>& v) {
  return json::array(v.begin(), v.end());
}

std::string line_of(const json::object& e) {
  // Model output cut mid-character is not UTF-8, and strict JSON readers (jq) would reject the
  // whole line.
  auto line = json_text(e);
  make_valid_utf8(line);
  return line + "\n";
}

// Readers see the old file or the new one, never a half-written one. The temporary name is
// unique (two writers never share it) and private like the file.
result<void> write_atomically(const fs::path& file, std::string_view text) {
  std::error_code ec;
  // A run's outputs/ that is a symlink would take model output wherever it points.
  if (fs::is_symlink(file.parent_path(), ec))
    return io_failure("will not write through the symlink", file.parent_path(), ELOOP);
  if (auto made = make_private_dir(file.parent_path()); !made)
    return make_failure(errc::io_error, "journal: " + made.error().message);
  auto tmp = file.parent_path() / temp_name_for(file.filename().string());
  auto opened = open_private_file(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW);
  if (!opened)
    return make_failure(errc::io_error, "journal: " + opened.error().message);
  int fd = *opened;
  bool ok = write_all(fd, text) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), file.c_str()) == 0) {
    sync_dir(file.parent_path());
    return {};
  }
  err = ok ? errno : err;
  fs::remove(tmp, ec);
  return io_failure("cannot write", file, err);
}

fs::path subtask_output(const fs::path& dir, int number) {
  char name[32];
  std::snprintf(name, sizeof name, "subtask-%02d.md", number);
  return dir / "outputs" / name;
}

} // namespace detail

void journal_writer::fd_closer::operator()(int* fd) const {
  if (*fd >= 0)
    ::close(*fd);
  delete fd;
}

journal_writer::journal_writer(std::filesystem::path dir, int fd)
    : dir_(std::move(dir)), fd_(new int{fd}, fd_closer{}) {}

result<journal_writer> journal_writer::create(const std::filesystem::path& runs_dir,
                                              const run_header& header, const claim_hook& claimed) {
  const auto& id = header.id;
  if (id.empty() || id == "." || id == ".." || id.find('/') != std::string::npos)
    return make_failure(errc::invalid_input, "journal: invalid run id \"" + id + "\"");
  auto dir = runs_dir / id;
  if (auto made = make_private_dir(runs_dir); !made)
    return make_failure(errc::io_error, "journal: " + made.error().message);
  // mkdir claims the id: two runs with one id must never share a folder or a journal.
  if (::mkdir(dir.c_str(), 0700) != 0)
    return io_failure(errno == EEXIST ? "run id taken:" : "cannot create", dir, errno);
  // A run that cannot be claimed or journaled leaves no folder: nothing lists it, and only a
  // taken id (mkdir's EEXIST) makes create_new try another.
  auto give_up = [&dir](failure f) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    return f;
  };
  if (claimed)
    if (auto ok = claimed(dir); !ok)
      return give_up(ok.error());
  auto file = dir / journal_file;
  auto opened = open_private_file(file, O_WRONLY | O_APPEND | O_CREAT | O_EXCL);
  if (!opened)
    return give_up(make_failure(errc::io_error, "journal: " + opened.error().message));
  journal_writer writer{dir, *opened};
  auto h = header;
  if (h.started_ms == 0)
    h.started_ms = now_ms();
  if (auto ok = writer.append(line_of(started_event(h))); !ok)
    return give_up(ok.error());
  sync_dir(dir);
  return writer;
}

result<journal_writer> journal_writer::create_new(const std::filesystem::path& runs_dir,
                                                  const run_header& header,
                                                  const std::function<std::string()>& next_id,
                                                  const claim_hook& claimed, int tries) {
  auto h = header;
  for (int i = 0;; ++i) {
    h.id = next_id();
    auto w = create(runs_dir, h, claimed);
    std::error_code ec;
    // Only a taken id is worth another try; anything else would fail again.
    if (w || i + 1 >= tries || w.error().code != errc::io_error || !fs::exists(runs_dir / h.id, ec))
      return w;
  }
}

std::string make_run_id(std::time_t t, uint32_t random) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  auto n = std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, "-%08x", static_cast<unsigned>(random));
  return buf;
}

std::string new_run_id() {
  std::random_device rd;
  return make_run_id(std::time(nullptr), static_cast<uint32_t>(rd()));
}

result<journal_writer> journal_writer::reopen(const std::filesystem::path& run_dir) {
  auto file = run_dir / journal_file;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    return make_failure(errc::not_found, "journal: no run journal at " + file.string());
  // A crash may have left a torn last line without its newline; end it first so the new
  // event gets a line of its own instead of being glued to the damage.
  std::ifstream in{file, std::ios::binary | std::ios::ate};
  bool torn = in.tellg() > 0 && in.seekg(-1, std::ios::end) && in.get() != '\n';
  // A run made by an older et is made private now (folder, journal, outputs).
  if (auto made = make_private_dir(run_dir); !made)
    return make_failure(errc::io_error, "journal: " + made.error().message);
  tighten_outputs(run_dir);
  auto opened = open_private_file(file, O_WRONLY | O_APPEND);
  if (!opened)
    return make_failure(errc::io_error, "journal: " + opened.error().message);
  journal_writer writer{run_dir, *opened};
  if (auto ok = writer.append((torn ? "\n" : "") + line_of(event("resumed"))); !ok)
    return ok.error();
  return writer;
}

result<void> journal_writer::append(const std::string& line) {
  // A write that stops part way (a full disk, a file size limit) leaves no half line for the
  // next event to be glued to: the journal goes back to where the line began.
  auto before = ::lseek(*fd_, 0, SEEK_END);
  if (!write_all(*fd_, line) || ::fdatasync(*fd_) != 0) {
    int saved = errno;
    if (before >= 0)
      (void)!::ftruncate(*fd_, before);
    return io_failure("cannot append to", dir_ / journal_file, saved);
  }
  return {};
}

} // namespace et::store
