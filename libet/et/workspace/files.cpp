#include "et/workspace/files.hpp"

#include "et/util/private_files.hpp"
#include "et/util/text.hpp"
#include "et/util/unique_fd.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace et::workspace {

namespace {

namespace fs = std::filesystem;

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

// What happened to one path: ok (written), refused (a policy said no) or failed (I/O).
struct outcome {
  enum kind_t { ok, refused, failed } kind = ok;
  std::string text;                  // the refusal reason or the I/O error
  refusal why = refusal::not_a_file; // when refused
};

outcome refuse(refusal why, std::string reason) {
  return {outcome::refused, std::move(reason), why};
}

outcome fail(std::string what, int err) {
  return {outcome::failed, std::move(what) + ": " + errno_text(err)};
}

constexpr std::string_view escape_reason = "escapes the output directory";

// A file is written through a temporary name next to it (NAME.et-PID-RANDOM.tmp, up to 36
// bytes longer), which must fit the file system's 255 bytes too.
constexpr size_t max_name_bytes = 255 - 36;
// Paths past this are no source file's (PATH_MAX is 4096 with the output dir in front).
constexpr size_t max_path_bytes = 1024;
// One answer writes at most this many files; the rest are refused (64 MiB of empty blocks
// would otherwise be two million files, each synced twice).
constexpr size_t max_files_per_answer = 1000;

bool is_drive_path(std::string_view p) {
  auto letter = p.size() >= 2 && ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z'));
  return letter && p[1] == ':';
}

// What makes a name read as something it is not, or "": a control character (C0, DEL, C1),
// bytes that are not UTF-8, or an invisible one (bidi and zero-width, is_hidden_format). A
// listing, a diff or a terminal shows such a name as another, or obeys it.
std::string unreadable(std::string_view name) {
  char code[16];
  for (size_t at = 0; at < name.size();) {
    auto n = utf8_sequence(name, at);
    if (n == 0)
      return "a name in it is not valid UTF-8";
    auto c = utf8_decode(name, at, n);
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c));
      return std::string{"a name in it holds a control character ("} + code + ")";
    }
    if (is_hidden_format(c)) {
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c));
      return std::string{"a name in it holds an invisible character ("} + code
             + ") that makes it read as another";
    }
    at += n;
  }
  return {};
}

std::vector<std::string> split_components(const std::string& rel) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (begin <= rel.size()) {
    auto end = rel.find('/', begin);
    if (end == std::string::npos)
      end = rel.size();
    parts.push_back(rel.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

// Opens the directory `name` below `dir_fd`, creating it when missing. O_NOFOLLOW makes a
// symlink fail here instead of being walked through, so no check-then-use race exists.
outcome open_child_dir(int dir_fd, const std::string& name, unique_fd& out) {
  constexpr int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  out = unique_fd{::openat(dir_fd, name.c_str(), flags)};
  if (!out && errno == ENOENT) {
    if (::mkdirat(dir_fd, name.c_str(), 0755) != 0 && errno != EEXIST)
      return fail("cannot create directory " + name, errno);
    out = unique_fd{::openat(dir_fd, name.c_str(), flags)};
  }
  if (out)
    return {};
  auto err = errno;
  struct stat st {};
  if ((err == ELOOP || err == ENOTDIR)
      && ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
    return refuse(refusal::symlink, "a parent directory is a symlink");
  return fail("cannot open directory " + name, err);
}

// Walks from the root to the folder that holds the file, one component at a time.
outcome open_parent(int root_fd, const std::vector<std::string>& parts, unique_fd& out) {
  out = unique_fd{::fcntl(root_fd, F_DUPFD_CLOEXEC, 0)};
  if (!out)
    return fail("cannot open the output directory", errno);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    unique_fd next;
    if (auto r = open_child_dir(out.get(), parts[i], next); r.kind != outcome::ok)
      return r;
    out = std::move(next);
  }
  return {};
}

// Refuses a target that is a symlink, a directory or something else than a file. The mode of
// an existing file is not kept: it could be setuid, and the block says what the file is.
outcome check_target(int dir_fd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT)
      return {};
    return fail("cannot inspect the file", errno);
  }
  if (S_ISLNK(st.st_mode))
    return refuse(refusal::symlink, "the file is a symlink");
  if (S_ISDIR(st.st_mode))
    return refuse(refusal::not_a_file, "the path is a directory");
  if (!S_ISREG(st.st_mode))
    return refuse(refusal::not_a_file, "the path is not a regular file");
  return {};
}

// Writes the content to a temporary file in the same folder (so rename is atomic), flushes it
// to disk, renames it over the target and flushes the folder so the rename survives a crash.
// The new file is created with `mode`, which the umask can narrow but nothing widens.
outcome replace_file(int dir_fd, const std::string& name, const std::string& content, mode_t mode) {
  auto tmp = temp_name_for(name);
  unique_fd fd{
      ::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)};
  if (!fd)
    return fail("cannot create a temporary file", errno);
  auto written = write_all(fd.get(), content) && ::fsync(fd.get()) == 0;
  auto err = errno;
  if (written && ::close(fd.get()) != 0) {
    written = false;
    err = errno;
  }
  fd = unique_fd{};
  if (!written || ::renameat(dir_fd, tmp.c_str(), dir_fd, name.c_str()) != 0) {
    err = written ? errno : err;
    ::unlinkat(dir_fd, tmp.c_str(), 0);
    return fail("cannot write", err);
  }
  if (::fsync(dir_fd) != 0)
    return fail("cannot flush the directory", errno);
  return {};
}

outcome write_one(int root_fd, const std::string& rel, const plan::file_block& block) {
  auto parts = split_components(rel);
  unique_fd dir;
  if (auto r = open_parent(root_fd, parts, dir); r.kind != outcome::ok)
    return r;
  if (auto r = check_target(dir.get(), parts.back()); r.kind != outcome::ok)
    return r;
  return replace_file(dir.get(), parts.back(), block.content, block.executable ? 0755 : 0644);
}

// One file to write after duplicates were folded: the last content of a path wins.
struct pending {
  std::string rel;
  std::string raw;
  const plan::file_block* block;
};

// The paths written so far, by their letters lowered: macOS and Windows file systems take
// "README.md" and "readme.md" for one file, so a second such name would overwrite the first.
std::map<std::string, std::string> by_folded_case(const std::map<std::string, int>& owners) {
  std::map<std::string, std::string> out;
  for (const auto& [path, owner] : owners)
    out.emplace(ascii_lower(path), path);
  return out;
}

std::vector<pending> fold_duplicates(const std::vector<plan::file_block>& blocks,
                                     write_report& report,
                                     const std::map<std::string, int>& owners) {
  std::vector<pending> out;
  std::map<std::string, size_t> index;
  auto folded = by_folded_case(owners);
  for (const auto& block : blocks) {
    auto rel = normalise_relative(block.path);
    if (!rel) {
      auto why = rel.error().message == escape_reason ? refusal::escapes : refusal::invalid_path;
      report.refused.push_back({block.path, rel.error().message, why});
      continue;
    }
    if (auto reason = runs_on_its_own(*rel)) {
      report.refused.push_back({block.path, *reason, refusal::runs_on_its_own});
      continue;
    }
    if (auto i = index.find(*rel); i != index.end()) {
      out[i->second].raw = block.path;
      out[i->second].block = &block;
      continue;
    }
    // A path written before (an older run may have written both spellings) is a plain rewrite.
    if (auto [f, fresh] = folded.emplace(ascii_lower(*rel), *rel);
        !fresh && f->second != *rel && !owners.contains(*rel)) {
      report.refused.push_back({block.path,
                                "it differs only in case from " + f->second
                                    + " (one file on macOS and Windows); use that name",
                                refusal::invalid_path});
      continue;
    }
    if (out.size() == max_files_per_answer) {
      report.refused.push_back(
          {block.path,
           "one answer writes at most " + std::to_string(max_files_per_answer) + " files",
           refusal::invalid_path});
      continue;
    }
    index.emplace(*rel, out.size());
    out.push_back({*rel, block.path, &block});
  }
  return out;
}

unique_fd open_root(const fs::path& root, std::string& error) {
  if (auto made = make_dirs(root, 0755); !made) {
    error = "output directory: " + made.error().message;
    return unique_fd{};
  }
  // The root is the user's choice, so a symlink here is followed on purpose.
  unique_fd fd{::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (!fd)
    error = "cannot open the output directory " + root.string() + ": " + errno_text(errno);
  return fd;
}

} // namespace

output_dir::output_dir(std::filesystem::path root) : root_(std::move(root)) {
  // Nothing to do until the first write.
}

std::vector<std::string> output_dir::problems(int owner,
                                              const std::vector<plan::file_block>& blocks) const {
  std::vector<std::string> out;
  write_report refusals;
  for (const auto& f : fold_duplicates(blocks, refusals, owners_))
    if (auto o = owners_.find(f.rel); o != owners_.end() && o->second != owner)
      out.push_back(f.rel + " belongs to subtask " + std::to_string(o->second)
                    + " (write only your own files)");
  for (const auto& r : refusals.refused)
    out.push_back("the path " + r.path + " is refused: " + r.reason);
  return out;
}

write_report output_dir::write(int owner, const std::vector<plan::file_block>& blocks) {
  write_report report;
  auto files = fold_duplicates(blocks, report, owners_);
  if (files.empty())
    return report;
  std::string root_error;
  auto root_fd = open_root(root_, root_error);
  for (const auto& file : files) {
    if (!root_fd) {
      report.errors.push_back(file.rel + ": " + root_error);
      continue;
    }
    auto r = write_one(root_fd.get(), file.rel, *file.block);
    if (r.kind == outcome::refused) {
      report.refused.push_back({file.raw, r.text, r.why});
    } else if (r.kind == outcome::failed) {
      report.errors.push_back(file.rel + ": " + r.text);
    } else {
      report.written.push_back(file.rel);
      if (auto i = owners_.find(file.rel); i != owners_.end() && i->second != owner)
        report.conflicts.push_back({file.rel, i->second, owner});
      owners_[file.rel] = owner;
    }
  }
  return report;
}

result<std::string> normalise_relative(const std::string& path) {
  auto refused = [](std::string reason) { return make_failure(errc::invalid_input, reason); };
  if (path.empty())
    return refused("empty path");
  if (path.find('\0') != std::string::npos)
    return refused("the path contains a NUL byte");
  // Windows forms count too: a model may write them, and the output may end up on Windows.
  if (path.front() == '/' || path.front() == '\\' || is_drive_path(path))
    return refused("absolute path");
  std::string out;
  for (const auto& part : split_components(path)) {
    if (part.empty() || part == ".")
      continue;
    // "..\\x" is one name on POSIX but escapes once the output is on Windows, as the
    // absolute forms above do (found by fuzz/file_blocks).
    if (part == ".." || part.starts_with("..\\") || part.ends_with("\\..")
        || part.find("\\..\\") != std::string::npos)
      return refused(std::string{escape_reason});
    if (auto why = unreadable(part); !why.empty())
      return refused(why);
    if (part.size() > max_name_bytes)
      return refused("a name in it is longer than " + std::to_string(max_name_bytes) + " bytes");
    // A resumed run removes such files as left over from a crash.
    if (is_temp_name(part))
      return refused("it is named like et's temporary files (NAME.et-PID-RANDOM.tmp)");
    out += out.empty() ? part : "/" + part;
  }
  if (out.empty())
    return refused("names the output directory itself");
  if (out.size() > max_path_bytes)
    return refused("longer than " + std::to_string(max_path_bytes) + " bytes");
  return out;
}

} // namespace et::workspace
