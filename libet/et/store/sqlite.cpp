#include <fcntl.h>
#include <unistd.h>

#include "et/store/detail/sqlite.hpp"
#include "et/util/private_files.hpp"

namespace et::store::detail {

result<sqlite3*> open_private_database(const std::filesystem::path& file, std::string_view what) {
  auto fail = [&](const std::string& why) {
    return make_failure(errc::io_error, std::string{what} + ": " + why);
  };
  if (file.has_parent_path())
    if (auto made = make_private_dir(file.parent_path()); !made)
      return fail(made.error().message);
  if (auto fd = open_private_file(file, O_RDWR | O_CREAT); fd)
    ::close(*fd);
  else
    return fail(fd.error().message);
  for (const char* suffix : {"-wal", "-shm", "-journal"})
    tighten_private_file(std::filesystem::path{file} += suffix);
  sqlite3* db = nullptr;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) {
    auto msg = std::string{db ? sqlite3_errmsg(db) : "out of memory"};
    sqlite3_close(db);
    return fail("cannot open " + file.string() + ": " + msg);
  }
  // Several et processes may share one file: wait for their writes.
  sqlite3_busy_timeout(db, 5000);
  return db;
}

} // namespace et::store::detail
