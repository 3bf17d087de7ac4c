#define CAF_SUITE libet.store.holder
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <sched.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "et/store/holder.hpp"
#include "et/store/key_store.hpp"
#include "et/store/ledger_store.hpp"
#include "temp_dir.hpp"

using namespace et;
namespace fs = std::filesystem;

namespace {

constexpr int64_t noon = 20'000LL * 86'400'000 + 43'200'000; // some day, 12:00 UTC

store::reservation_ask ask(double usd) {
  return {usd, 1.0, noon - 43'200'000};
}

// A process in a PID namespace of its own (as in a container: it is pid 1 there) that runs
// `work` and then waits, alive, until release() or destruction. `ran` is false (and the test
// skips) where this system lets no one make a PID namespace.
class foreign_process {
public:
  explicit foreign_process(const std::function<bool()>& work) {
    int up[2], down[2];
    CAF_REQUIRE(::pipe(up) == 0 && ::pipe(down) == 0);
    child_ = ::fork();
    CAF_REQUIRE(child_ >= 0);
    if (child_ == 0) {
      ::close(up[0]);
      ::close(down[1]);
      // Root makes a PID namespace; another user needs a user namespace too, where without
      // a uid map it may not create files: a failure there is a skip, not a finding.
      bool as_user = false;
      if (::unshare(CLONE_NEWPID) != 0) {
        if (::unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0)
          report_and_exit(up[1], 's');
        as_user = true;
      }
      auto inner = ::fork(); // the first child in the new namespace: its pid 1
      if (inner == 0) {
        char ok = work() ? 'y' : as_user ? 's' : 'n';
        (void)!::write(up[1], &ok, 1);
        char c;
        (void)!::read(down[0], &c, 1); // until the test closes its end
        std::_Exit(0);
      }
      int status = 0;
      ::waitpid(inner, &status, 0);
      std::_Exit(0);
    }
    ::close(up[1]);
    ::close(down[0]);
    release_fd_ = down[1];
    char c = 'n';
    CAF_REQUIRE_EQUAL(::read(up[0], &c, 1), 1);
    ::close(up[0]);
    ran = c != 's';
    if (ran)
      CAF_REQUIRE_EQUAL(c, 'y');
  }

  ~foreign_process() { release(); }

  /// Lets the process end and waits for it.
  void release() {
    if (child_ <= 0)
      return;
    ::close(release_fd_);
    int status = 0;
    ::waitpid(child_, &status, 0);
    child_ = -1;
  }

  bool ran = false; ///< whether a PID namespace could be made

private:
  [[noreturn]] static void report_and_exit(int fd, char c) {
    (void)!::write(fd, &c, 1);
    std::_Exit(0);
  }

  pid_t child_ = -1;
  int release_fd_ = -1;
};

struct fixture : et::test::scratch_dir {
  fixture() : scratch_dir("holder") {}

  fs::path file() const { return dir / "state" / "ledger.sqlite"; }

  std::unique_ptr<store::ledger_store> ledger() {
    auto s = store::open_sqlite_ledger(file());
    CAF_REQUIRE(s);
    return std::move(*s);
  }

  std::unique_ptr<store::key_store> keys() {
    auto s = store::key_store::open(file());
    CAF_REQUIRE(s);
    return std::move(*s);
  }

  size_t leases() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator{store::lease_dir(file())})
      ++n;
    return n;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(holder_tests, fixture)

CAF_TEST(a holder names a live process and not a dead one) {
  auto me = store::this_process_holder();
  CAF_CHECK_EQUAL(std::count(me.begin(), me.end(), ' '), 3); // pid, boot, start, namespace
  CAF_CHECK(store::holder_alive(me, dir));
  CAF_CHECK(store::holder_alive(store::process_holder(getppid()), dir));
  CAF_CHECK(!store::holder_alive("2147483647 x 1", dir));
  CAF_CHECK(!store::holder_alive("garbage", dir));
  // same pid, another start time: a reused pid
  CAF_CHECK(!store::holder_alive(std::to_string(getpid()) + " x 1", dir));
  // A holder of an older et (no namespace) is checked by pid.
  CAF_CHECK(store::holder_alive(me.substr(0, me.rfind(' ')), dir));
  // this pid in another namespace, without a lease: another process, and a dead one
  CAF_CHECK(!store::holder_alive(me.substr(0, me.rfind(' ')) + " 12345", dir));
}

CAF_TEST(a ledger reservation of a process in another pid namespace holds while it runs) {
  { auto init = ledger(); }
  foreign_process other{[&] {
    auto s = store::open_sqlite_ledger(file());
    return s && (*s)->reserve(ask(0.6)) && (*s)->reserve(ask(0.0)).value().id != 0;
  }};
  if (!other.ran) {
    CAF_MESSAGE("skipped: this system makes no PID namespace for this user");
    return;
  }
  auto mine = ledger();
  auto refused = mine->reserve(ask(0.6));
  CAF_REQUIRE(refused);
  CAF_CHECK_EQUAL(refused->id, 0); // its 0.6 counts: it runs
  CAF_CHECK_EQUAL(refused->reserved, 0.6);
  other.release();
  auto granted = mine->reserve(ask(0.6));
  CAF_REQUIRE(granted);
  CAF_CHECK_NOT_EQUAL(granted->id, 0); // gone: its 0.6 no longer counts
  CAF_CHECK_EQUAL(leases(), 1u);       // its lease went with it; ours stays
}

CAF_TEST(a key reservation of a process in another pid namespace holds while it runs) {
  store::key_limits l;
  l.budget_day = 1.0;
  CAF_REQUIRE(keys()->create("k", l, noon));
  foreign_process other{[&] {
    auto s = store::key_store::open(file());
    if (!s)
      return false;
    auto a = (*s)->admit({"k", 0.6, 10, noon});
    return a && a->id != 0;
  }};
  if (!other.ran) {
    CAF_MESSAGE("skipped: this system makes no PID namespace for this user");
    return;
  }
  auto mine = keys();
  auto refused = mine->admit({"k", 0.6, 10, noon});
  CAF_REQUIRE(refused);
  CAF_CHECK(refused->why == store::key_refusal::budget_day);
  other.release();
  auto granted = mine->admit({"k", 0.6, 10, noon});
  CAF_REQUIRE(granted);
  CAF_CHECK_NOT_EQUAL(granted->id, 0);
}

CAF_TEST(leases of processes that are gone are removed by the next lease) {
  auto holders = store::lease_dir(file());
  fs::create_directories(holders);
  std::ofstream{holders / "1_gone_2_3"} << "";
  CAF_REQUIRE(store::hold_lease(holders));
  CAF_CHECK(!fs::exists(holders / "1_gone_2_3"));
  CAF_CHECK_EQUAL(leases(), 1u);
  CAF_CHECK(store::hold_lease(holders)); // again: nothing new
  CAF_CHECK_EQUAL(leases(), 1u);
}

CAF_TEST(a holder read from the file names no path outside the lease folder) {
  // An unlocked file that such a holder would lead to: checking the holder must leave it.
  // "1 ../../../victim 2" would name holders/1_../../../victim_2, which is state/victim_2.
  auto holders = store::lease_dir(file());
  fs::create_directories(holders / "1_..");
  std::ofstream{dir / "state" / "victim_2"} << "keep";
  CAF_CHECK(!store::holder_alive("1 ../../../victim 2", holders));
  CAF_CHECK(fs::exists(dir / "state" / "victim_2"));
  CAF_CHECK(!store::holder_alive("1/../../victim_2 3 4", holders)); // no pid
  CAF_CHECK(fs::exists(dir / "state" / "victim_2"));
}

CAF_TEST_FIXTURE_SCOPE_END()
