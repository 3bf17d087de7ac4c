#define CAF_SUITE libet.store.key_cache
#include "caf/test/unit_test.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "et/store/key_cache.hpp"
#include "et/store/key_store.hpp"
#include "raw_sql.hpp"
#include "temp_dir.hpp"

// The gateway's copy of the keys table, read over a connection of its own: what it sees of
// keys created and revoked by other connections (other processes), and when.

using namespace et;
using namespace std::chrono_literals;

namespace {

struct fixture : test::scratch_dir {
  fixture() : scratch_dir("key-cache") {}
  std::filesystem::path file = dir / "state" / "ledger.sqlite";

  std::unique_ptr<store::key_store> open_store() {
    auto s = store::key_store::open(file);
    CAF_REQUIRE(s);
    return std::move(*s);
  }
  std::unique_ptr<store::key_cache> open_cache(std::chrono::milliseconds refresh) {
    auto c = store::key_cache::open(file, refresh);
    CAF_REQUIRE(c);
    return std::move(*c);
  }
};

int64_t active(store::key_cache& c) {
  auto n = c.active();
  CAF_REQUIRE(n);
  return *n;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(key_cache_tests, fixture)

CAF_TEST(a key made by another connection is known at its first use) {
  auto other = open_store();
  auto cache = open_cache(1h); // never stale by age in this test
  auto none = cache->lookup("");
  CAF_REQUIRE(none);
  CAF_CHECK_EQUAL(none->active, 0); // open mode
  store::key_limits l;
  l.models = {"gpt", "claude"};
  auto key = other->create("ci", l, 1000);
  CAF_REQUIRE(key);
  // Not in the copy: the lookup reads the table again.
  auto found = cache->lookup(*key);
  CAF_REQUIRE(found);
  CAF_REQUIRE(found->key.has_value());
  CAF_CHECK_EQUAL(found->key->name, "ci");
  CAF_CHECK(!found->key->revoked);
  CAF_CHECK_EQUAL(found->key->limits, l);
  CAF_CHECK_EQUAL(found->active, 1);
  // A key nobody made is not found, with the store read again too.
  auto wrong = cache->lookup("et-not-a-key");
  CAF_REQUIRE(wrong);
  CAF_CHECK(!wrong->key.has_value());
  CAF_CHECK_EQUAL(wrong->active, 1);
}

CAF_TEST(a revoke by another connection is seen after the refresh interval) {
  auto other = open_store();
  auto key = other->create("ci", {}, 1000);
  CAF_REQUIRE(key);
  auto slow = open_cache(1h);
  auto quick = open_cache(0ms);
  CAF_REQUIRE(slow->lookup(*key)->key.has_value());
  CAF_CHECK(!slow->lookup(*key)->key->revoked);
  CAF_REQUIRE(other->revoke("ci"));
  // A copy checked at every lookup sees it at once.
  auto seen = quick->lookup(*key);
  CAF_REQUIRE(seen && seen->key);
  CAF_CHECK(seen->key->revoked);
  CAF_CHECK_EQUAL(seen->active, 0);
  // A copy younger than its interval may still say "not revoked" (the bound documented in
  // key_cache.hpp; admissions re-read the key, see key_store.test): after a check, revoked.
  CAF_REQUIRE(slow->refresh());
  auto later = slow->lookup(*key);
  CAF_REQUIRE(later && later->key);
  CAF_CHECK(later->key->revoked);
  CAF_CHECK_EQUAL(active(*slow), 0);
}

CAF_TEST(active counts keys that are not revoked across connections) {
  auto other = open_store();
  auto cache = open_cache(1h);
  CAF_CHECK_EQUAL(active(*cache), 0);
  CAF_REQUIRE(other->create("a", {}, 1000));
  CAF_REQUIRE(other->create("b", {}, 1000));
  CAF_CHECK_EQUAL(active(*cache), 2);
  CAF_REQUIRE(other->revoke("a"));
  CAF_CHECK_EQUAL(active(*cache), 1);
}

CAF_TEST(a second connection in one process keeps the locks on the file) {
  // The gateway's writer and its cache are two connections of one process. Opening the
  // second must not drop the first one's locks (closing any descriptor of a file drops all
  // of a process's POSIX locks on it), or another process closing its own connection (et
  // cost, et keys) takes itself for the last one and deletes the WAL that the first still
  // writes to: the gateway's records vanish. What that other process tests before it
  // deletes is whether it can lock the database file's shared range exclusively; a child
  // asks the same with F_GETLK (SQLite itself cannot be used after a fork).
  auto writer = open_store();
  CAF_REQUIRE(writer->create("ci", {}, 1000));
  auto shared_range_held = [&] {
    auto pid = ::fork();
    CAF_REQUIRE(pid >= 0);
    if (pid == 0) {
      int fd = ::open(file.c_str(), O_RDWR);
      struct flock probe {};
      probe.l_type = F_WRLCK;
      probe.l_whence = SEEK_SET;
      probe.l_start = 0x40000000 + 2; // SQLite's SHARED_FIRST (PENDING_BYTE + 2)
      probe.l_len = 510;              // SHARED_SIZE
      bool held = fd >= 0 && ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
      ::_exit(held ? 0 : 1);
    }
    int status = 0;
    CAF_REQUIRE_EQUAL(::waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  };
  CAF_REQUIRE(shared_range_held()); // the writer's connection, in WAL mode
  auto cache = open_cache(0ms);
  CAF_CHECK(shared_range_held());
  auto again = open_store(); // a third, as the ledger of et serve is
  CAF_CHECK(shared_range_held());
}

CAF_TEST(any write to the keys table is seen : a key deleted by hand and another made) {
  auto other = open_store();
  auto gone = other->create("gone", {}, 1000);
  CAF_REQUIRE(gone);
  auto cache = open_cache(0ms); // checks at every lookup
  CAF_REQUIRE(cache->lookup(*gone) && cache->lookup(*gone)->key.has_value());
  // The count of keys and of revoked keys stays the same; the change counter does not.
  CAF_CHECK_EQUAL(test::raw_exec(file, "DELETE FROM gateway_keys WHERE name = 'gone'"), SQLITE_OK);
  CAF_REQUIRE(other->create("new", {}, 2000));
  auto after = cache->lookup(*gone);
  CAF_REQUIRE(after);
  CAF_CHECK(!after->key.has_value());
  CAF_CHECK_EQUAL(after->active, 1);
  // A file from before the counter gets it: a cache opened on it still sees changes.
  CAF_CHECK_EQUAL(test::raw_exec(file, "DROP TRIGGER key_changes_on_INSERT; DROP TRIGGER "
                                       "key_changes_on_UPDATE; DROP TRIGGER key_changes_on_DELETE; "
                                       "DROP TABLE key_changes"),
                  SQLITE_OK);
  auto reopened = open_cache(0ms);
  auto third = other->create("third", {}, 3000);
  CAF_REQUIRE(third);
  auto found = reopened->lookup(*third);
  CAF_REQUIRE(found);
  CAF_CHECK(found->key.has_value());
}

CAF_TEST_FIXTURE_SCOPE_END()
