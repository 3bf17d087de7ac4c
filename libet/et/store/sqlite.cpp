#include <algorithm>
#include <cstdint>
#include <fcntl.h>
#include <map>
#include <thread>
#include <unistd.h>

#include "et/store/detail/sqlite.hpp"
#include "et/util/private_files.hpp"

namespace et::store::detail {

namespace {

// SQLite's busy handler: `ctx` carries the wait in milliseconds (no allocation to outlive).
int pause_when_busy(void* ctx, int count) {
  auto busy = std::chrono::milliseconds{reinterpret_cast<intptr_t>(ctx)};
  auto pause = busy_pause(count, busy);
  if (pause.count() == 0)
    return 0;
  std::this_thread::sleep_for(pause);
  return 1;
}

// SQLite's advice for a database file that someone else may have written (sqlite.org,
// "Defense Against The Dark Arts"): et runs only its own SQL, but a state dir named in a
// config found on disk may hold a planted file. Defensive mode keeps the schema and
// SQLite's own tables from being written as data, an untrusted schema may call no
// function or virtual table that is not innocuous, cells are size-checked as they are read
// (corrupt pages are an error, not a wild read), and no file is memory-mapped.
// "" when `db` is hardened, else the setting that did not take.
std::string harden(sqlite3* db) {
  int on = -1;
  if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) != SQLITE_OK || on != 1)
    return "defensive mode";
  if (sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on) != SQLITE_OK || on != 0)
    return "trusted_schema off";
  if (sqlite3_exec(db, "PRAGMA cell_size_check = ON; PRAGMA mmap_size = 0", nullptr, nullptr,
                   nullptr)
      != SQLITE_OK)
    return std::string{"cell_size_check and mmap_size: "} + sqlite3_errmsg(db);
  return {};
}

} // namespace

std::chrono::microseconds busy_pause(int count, std::chrono::milliseconds busy) {
  // 50 us doubled `i` times, at most 5 ms (from i = 7 on).
  auto step = [](int i) -> int64_t { return i >= 7 ? 5000 : std::min<int64_t>(5000, 50 << i); };
  int64_t budget = busy.count() * 1000;
  int64_t waited = 0;
  for (int i = 0; i < count && waited < budget; ++i)
    waited += step(i);
  int64_t left = budget - waited;
  return std::chrono::microseconds{left <= 0 ? int64_t{0} : std::min(step(count), left)};
}

result<sqlite3*> open_private_database(const std::filesystem::path& file, std::string_view what,
                                       std::chrono::milliseconds busy) {
  auto fail = [&](const std::string& why) {
    return make_failure(errc::io_error, std::string{what} + ": " + why);
  };
  if (file.has_parent_path())
    if (auto made = make_private_dir(file.parent_path()); !made)
      return fail(made.error().message);
  // A file that exists is tightened by name, never opened and closed: closing any descriptor
  // of a file drops every POSIX lock this process holds on it, those of the SQLite
  // connections it already has to it too (the key store's writer and its cache, the ledger).
  // Another process then takes itself for the last connection and deletes the WAL under
  // them, with the writes they still make to it.
  std::error_code ec;
  if (std::filesystem::is_regular_file(file, ec)) {
    tighten_private_file(file);
  } else if (auto fd = open_private_file(file, O_RDWR | O_CREAT); fd) {
    ::close(*fd);
  } else {
    return fail(fd.error().message);
  }
  for (const char* suffix : {"-wal", "-shm", "-journal"})
    tighten_private_file(std::filesystem::path{file} += suffix);
  sqlite3* db = nullptr;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) {
    auto msg = std::string{db ? sqlite3_errmsg(db) : "out of memory"};
    sqlite3_close(db);
    return fail("cannot open " + file.string() + ": " + msg);
  }
  if (auto refused = harden(db); !refused.empty()) {
    sqlite3_close(db);
    return fail("cannot open " + file.string() + " defensively: SQLite refused " + refused);
  }
  // Several et processes may share one file: wait for their writes.
  sqlite3_busy_handler(db, pause_when_busy,
                       reinterpret_cast<void*>(static_cast<intptr_t>(busy.count())));
  return db;
}

std::shared_ptr<std::mutex> write_turn(const std::filesystem::path& file) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<std::mutex>> registry;
  std::error_code ec;
  auto key = std::filesystem::weakly_canonical(file, ec);
  if (ec)
    key = std::filesystem::absolute(file, ec);
  std::lock_guard<std::mutex> guard{registry_mutex};
  std::erase_if(registry, [](const auto& entry) { return entry.second.expired(); });
  auto& slot = registry[key.string()];
  auto turn = slot.lock();
  if (!turn) {
    turn = std::make_shared<std::mutex>();
    slot = turn;
  }
  return turn;
}

result<void> connection::open(const std::filesystem::path& file, std::chrono::milliseconds busy) {
  auto opened = open_private_database(file, name, busy);
  if (!opened)
    return opened.error();
  handle = *opened;
  turn = write_turn(file);
  return {};
}

failure connection::error(const char* what) const {
  auto message = name + ": " + what + ": " + sqlite3_errmsg(handle);
  // The primary code: SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED_SHAREDCACHE... are the same case.
  auto code = sqlite3_extended_errcode(handle) & 0xff;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    return make_failure(errc::timeout, message + " (another process held the database past "
                                           + std::to_string(wait.busy.count()) + " ms)");
  return make_failure(errc::io_error, message);
}

result<void> connection::run(const char* sql, const char* what) const {
  auto* st = take(sql);
  auto rc = st ? sqlite3_step(st) : SQLITE_ERROR;
  // error() reads the connection's last error: before give_back() resets the statement.
  auto out = rc == SQLITE_DONE ? result<void>{} : result<void>{error(what)};
  give_back(sql, st);
  return out;
}

sqlite3_stmt* connection::take(const char* sql) const {
  {
    std::lock_guard<std::mutex> guard{cache_mutex_};
    if (auto it = cache_.find(sql); it != cache_.end()) {
      auto* st = it->second;
      cache_.erase(it);
      return st;
    }
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
    sqlite3_finalize(st);
    return nullptr;
  }
  return st;
}

void connection::give_back(const char* sql, sqlite3_stmt* st) const {
  if (!st)
    return;
  // Reset ends the statement's read of the file (an unfinished SELECT would hold it).
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  std::lock_guard<std::mutex> guard{cache_mutex_};
  if (cache_.size() >= max_cached) {
    sqlite3_finalize(st);
    return;
  }
  cache_.emplace(sql, st);
}

void connection::pause(int attempt) const {
  if (wait.pause)
    wait.pause(attempt);
  else
    std::this_thread::sleep_for(std::chrono::milliseconds{100 * attempt});
}

} // namespace et::store::detail
