#define CAF_SUITE libet.store.busy
#include "caf/test/unit_test.hpp"

#include <condition_variable>
#include <future>
#include <mutex>
#include <sqlite3.h>
#include <thread>

#include "et/store/detail/sqlite.hpp"
#include "et/store/key_store.hpp"
#include "et/store/key_writer.hpp"
#include "et/store/ledger_store.hpp"
#include "temp_dir.hpp"

using namespace et;
using namespace std::chrono_literals;

namespace {

// Another process's connection that holds the file's write lock until released.
struct other_writer {
  sqlite3* db = nullptr;

  explicit other_writer(const std::filesystem::path& file) {
    CAF_REQUIRE_EQUAL(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    CAF_REQUIRE_EQUAL(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  ~other_writer() {
    release();
    sqlite3_close(db);
  }
  void release() { sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr); }
};

store::stored_call sample() {
  store::stored_call c;
  c.run_id = "r1";
  c.call.role = "polecat";
  c.call.alias = "a";
  c.call.provider = "p";
  c.call.model = "m";
  c.call.tokens = usage{10, 20};
  c.call.usd = 0.5;
  c.call.ok = true;
  c.call.outcome = "ok";
  c.call.unix_ms = 1000;
  return c;
}

// A short busy wait, `attempts` tries, and a pause that counts and may release the lock.
store::sqlite_wait short_wait(int attempts, int& pauses, other_writer* release_at_first) {
  store::sqlite_wait w;
  w.busy = 5ms;
  w.attempts = attempts;
  w.pause = [&pauses, release_at_first](int) {
    if (++pauses == 1 && release_at_first)
      release_at_first->release();
  };
  return w;
}

struct fixture : test::scratch_dir {
  fixture() : scratch_dir("busy") {}
  std::filesystem::path file = dir / "ledger.db";
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(busy_tests, fixture)

CAF_TEST(a ledger record waits out another process and is kept) {
  int pauses = 0;
  auto made = store::open_sqlite_ledger(file, "me");
  CAF_REQUIRE(made);
  other_writer other{file};
  auto ledger = store::open_sqlite_ledger(file, "me", short_wait(3, pauses, &other));
  CAF_REQUIRE(ledger);
  auto r = (*ledger)->append(sample());
  CAF_CHECK(r);
  CAF_CHECK_EQUAL(pauses, 1);
  auto all = (*ledger)->since(0);
  CAF_REQUIRE(all);
  CAF_CHECK_EQUAL(all->size(), 1u);
}

CAF_TEST(a settle is retried too and fails typed when the lock is never let go) {
  int pauses = 0;
  CAF_REQUIRE(store::open_sqlite_ledger(file, "me"));
  other_writer other{file};
  auto ledger = store::open_sqlite_ledger(file, "me", short_wait(3, pauses, nullptr));
  CAF_REQUIRE(ledger);
  auto call = sample();
  auto r = (*ledger)->settle(0, &call);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, errc::timeout);
  CAF_CHECK_EQUAL(pauses, 2); // three attempts
  CAF_CHECK(r.error().message.find("ledger") == 0);
  CAF_CHECK(r.error().message.find("another process held the database") != std::string::npos);
}

CAF_TEST(a reservation is not retried : the caller decides) {
  int pauses = 0;
  CAF_REQUIRE(store::open_sqlite_ledger(file, "me"));
  other_writer other{file};
  auto ledger = store::open_sqlite_ledger(file, "me", short_wait(3, pauses, nullptr));
  CAF_REQUIRE(ledger);
  auto g = (*ledger)->reserve({1.0, std::nullopt, 0});
  CAF_REQUIRE(!g);
  CAF_CHECK_EQUAL(g.error().code, errc::timeout);
  CAF_CHECK_EQUAL(pauses, 0);
}

CAF_TEST(a gateway key record waits out another process and is kept) {
  int pauses = 0;
  CAF_REQUIRE(store::key_store::open(file, "me"));
  other_writer other{file};
  auto keys = store::key_store::open(file, "me", short_wait(3, pauses, &other));
  CAF_REQUIRE(keys);
  store::key_request rec;
  rec.key = "";
  rec.model = "m";
  rec.unix_ms = 1000;
  rec.status = 200;
  CAF_CHECK((*keys)->settle(0, rec));
  CAF_CHECK_EQUAL(pauses, 1);
  auto all = (*keys)->requests_since(0);
  CAF_REQUIRE(all);
  CAF_CHECK_EQUAL(all->size(), 1u);
}

CAF_TEST(a gateway record that cannot be written yet is kept and its reservation with it) {
  {
    auto s = store::key_store::open(file, "me");
    CAF_REQUIRE(s);
    store::key_limits l;
    l.budget_total = 1.0;
    CAF_REQUIRE((*s)->create("k", l, 1000));
  }
  int pauses = 0;
  auto keys = store::key_store::open(file, "me", short_wait(1, pauses, nullptr));
  CAF_REQUIRE(keys);
  auto held = (*keys)->admit({"k", 0.9, 10, 1000});
  CAF_REQUIRE(held && held->id != 0);
  std::promise<std::string> said;
  store::key_writer_options o;
  o.flush_every = 1h; // tried again on flush() only
  o.flush_records = 1;
  o.log = [&said, once = std::make_shared<std::once_flag>()](const std::string& line) {
    std::call_once(*once, [&] { said.set_value(line); });
  };
  store::key_writer w{std::move(*keys), o};
  auto other = std::make_unique<other_writer>(file);
  store::key_request rec;
  rec.key = "k";
  rec.model = "m";
  rec.unix_ms = 1000;
  rec.usd = 0.1;
  rec.status = 200;
  w.settle(held->id, rec);
  auto line = said.get_future().get(); // its first try met the other process
  CAF_CHECK(line.find("kept and tried again") != std::string::npos);
  other.reset();
  w.flush();
  // Written, and the $0.9 reserved is released: $0.1 spent leaves room for $0.8.
  auto check = store::key_store::open(file, "check");
  CAF_REQUIRE(check);
  auto fits = (*check)->admit({"k", 0.8, 10, 1000});
  CAF_REQUIRE(fits);
  CAF_CHECK_NOT_EQUAL(fits->id, 0);
}

CAF_TEST(writers of one process take turns instead of meeting the busy wait) {
  // No busy wait at all: without the turn, the second writer fails at once.
  store::detail::connection first{"first"}, second{"second"};
  CAF_REQUIRE(first.open(file, 0ms));
  CAF_REQUIRE(second.open(dir / "." / "ledger.db", 0ms)); // the same file, spelled otherwise
  CAF_REQUIRE(first.turn == second.turn);
  CAF_REQUIRE(first.exec("CREATE TABLE t (x INTEGER)", "create"));
  std::mutex m;
  std::condition_variable cv;
  std::optional<result<void>> second_done;
  std::thread other;
  auto row = [](const store::detail::connection& c, int64_t x) {
    store::detail::checked_statement st{c, "INSERT INTO t (x) VALUES (?)"};
    st.bind(1, x);
    return st.run("insert");
  };
  auto r = first.transaction([&]() -> result<void> {
    if (auto done = row(first, 1); !done)
      return done;
    other = std::thread{[&] {
      auto done = second.transaction([&] { return row(second, 2); });
      std::lock_guard<std::mutex> guard{m};
      second_done = std::move(done);
      cv.notify_one();
    }};
    // A second writer that does not wait ends within microseconds; one that waits its
    // turn is still waiting when this gives up (which is all this bounded wait is for).
    std::unique_lock<std::mutex> lock{m};
    CAF_CHECK(!cv.wait_for(lock, 200ms, [&] { return second_done.has_value(); }));
    return {};
  });
  CAF_CHECK(r);
  other.join();
  CAF_REQUIRE(second_done);
  CAF_CHECK(*second_done);
  store::detail::checked_statement count{first, "SELECT COUNT(*) FROM t"};
  auto rows = count.scalar("count");
  CAF_REQUIRE(rows);
  CAF_CHECK_EQUAL(*rows, 2.0);
}

CAF_TEST(a busy writer looks again after 50 us at first and waits no longer than its timeout) {
  using std::chrono::microseconds;
  CAF_CHECK_EQUAL(store::detail::busy_pause(0, 0ms).count(), 0);
  CAF_CHECK_EQUAL(store::detail::busy_pause(0, 5000ms).count(), 50);
  CAF_CHECK_EQUAL(store::detail::busy_pause(1, 5000ms).count(), 100);
  CAF_CHECK_EQUAL(store::detail::busy_pause(20, 5000ms).count(), 5000); // at most 5 ms
  microseconds total{0};
  int count = 0;
  for (auto p = store::detail::busy_pause(0, 5000ms); p.count() > 0;
       p = store::detail::busy_pause(++count, 5000ms))
    total += p;
  CAF_CHECK_EQUAL(total.count(), 5'000'000); // exactly the timeout, then it gives up
  CAF_CHECK_EQUAL(store::detail::busy_pause(1'000'000'000, 5000ms).count(), 0);
}

CAF_TEST(the write turn is one per file) {
  auto a = store::detail::write_turn(file);
  CAF_CHECK(a == store::detail::write_turn(dir / "x" / ".." / "ledger.db"));
  CAF_CHECK(a != store::detail::write_turn(dir / "other.db"));
}

CAF_TEST_FIXTURE_SCOPE_END()
