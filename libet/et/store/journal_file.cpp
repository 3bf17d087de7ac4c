// Reading a journal's lines off the disk, bounded: what read_run and list_runs stand on.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "et/store/detail/journal_lines.hpp"
#include "et/store/journal.hpp"
#include "et/util/unique_fd.hpp"

namespace et::store::detail {

namespace fs = std::filesystem;

namespace {

failure too_large(const fs::path& file) {
  return make_failure(errc::invalid_input, "journal: " + file.string() + " is larger than "
                                               + std::to_string(max_journal_bytes >> 20)
                                               + " MiB: not a journal et wrote");
}

} // namespace

result<void> for_each_line(const fs::path& file, const std::function<bool(std::string&)>& take) {
  unique_fd fd{::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
  if (!fd && errno == ENOENT)
    return make_failure(errc::not_found, "journal: no run journal at " + file.string());
  if (!fd && errno == ELOOP)
    return make_failure(errc::invalid_input, "journal: " + file.string()
                                                 + " is a symbolic link; et reads only a "
                                                   "regular file it wrote");
  if (!fd)
    return make_failure(errc::io_error,
                        "journal: cannot open " + file.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return make_failure(errc::invalid_input, "journal: " + file.string()
                                                 + " is not a regular file; et reads only a "
                                                   "regular file it wrote");
  if (static_cast<uintmax_t>(st.st_size) > max_journal_bytes)
    return too_large(file);
  std::string line;
  uintmax_t total = 0;
  char buf[64 * 1024];
  for (;;) {
    auto n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return make_failure(errc::io_error,
                          "journal: cannot read " + file.string() + ": " + std::strerror(errno));
    if (n == 0)
      break;
    if ((total += static_cast<uintmax_t>(n)) > max_journal_bytes)
      return too_large(file);
    for (std::string_view chunk{buf, static_cast<size_t>(n)}; !chunk.empty();) {
      auto nl = chunk.find('\n');
      line.append(chunk.substr(0, nl));
      if (nl == std::string_view::npos)
        break;
      chunk.remove_prefix(nl + 1);
      if (!take(line))
        return {};
      line.clear();
    }
  }
  if (!line.empty())
    take(line); // a last line without its newline (torn by a crash)
  return {};
}

} // namespace et::store::detail
