#define CAF_SUITE libet.util.cores
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "et/util/cores.hpp"
#include "temp_dir.hpp"

// How many cores et may use (affinity, and a container's cgroup v2 quota read from files it
// does not trust) and how its thread pools are sized for them.

using namespace et::util;
namespace fs = std::filesystem;

namespace {

// A cgroup v2 mount in a scratch folder: `cpu.max` written at the given relative folders.
struct cgroup_tree : et::test::scratch_dir {
  cgroup_tree() : scratch_dir("cores") {}
  void quota(const std::string& where, const std::string& text) {
    fs::create_directories(dir / where);
    std::ofstream{dir / where / "cpu.max"} << text;
  }
};

} // namespace

CAF_TEST(a cpu.max text grants its quota over its period rounded up) {
  CAF_CHECK_EQUAL(cores_of_cpu_max("200000 100000\n"), 2u);
  CAF_CHECK_EQUAL(cores_of_cpu_max("150000 100000\n"), 2u);
  CAF_CHECK_EQUAL(cores_of_cpu_max("50000 100000"), 1u);
  CAF_CHECK_EQUAL(cores_of_cpu_max("100000000000 1"), max_cores);
}

CAF_TEST(a cpu.max text without a readable quota grants nothing) {
  for (auto text : {"max 100000\n", "", "\n", "100000", "0 100000", "100000 0", "-5 100000",
                    "1e5 100000", "100000 100000 7", "99999999999999999999999 1", " 100000"})
    CAF_CHECK_EQUAL(cores_of_cpu_max(text), std::nullopt);
}

CAF_TEST(the smallest quota on the way up from the process cgroup counts) {
  cgroup_tree t;
  t.quota("", "max 100000\n");
  t.quota("system.slice", "400000 100000\n");
  t.quota("system.slice/et.service", "300000 100000\n");
  CAF_CHECK_EQUAL(cgroup_quota_cores(t.dir, "0::/system.slice/et.service\n"), 3u);
  t.quota("system.slice", "100000 100000\n");
  CAF_CHECK_EQUAL(cgroup_quota_cores(t.dir, "0::/system.slice/et.service\n"), 1u);
  // A container's own cgroup is the root of its mount.
  t.quota("", "250000 100000\n");
  CAF_CHECK_EQUAL(cgroup_quota_cores(t.dir, "0::/\n"), 3u);
}

CAF_TEST(no quota where no cgroup above sets one) {
  cgroup_tree t;
  t.quota("a", "max 100000\n");
  CAF_CHECK_EQUAL(cgroup_quota_cores(t.dir, "0::/a/b\n"), std::nullopt); // b has no file
  CAF_CHECK_EQUAL(cgroup_quota_cores(t.dir, ""), std::nullopt);
}

CAF_TEST(only the v2 line is read and a path leaving the mount is not followed) {
  cgroup_tree t;
  t.quota("x", "100000 100000\n");
  CAF_CHECK_EQUAL(cgroup_quota_cores(t.dir, "4:cpu,cpuacct:/x\n0::/x\n"), 1u);
  CAF_CHECK_EQUAL(cgroup_quota_cores(t.dir, "4:cpu,cpuacct:/x\n"), std::nullopt);
  // A quota outside the mount must not be read through "..".
  t.quota("../outside", "100000 100000\n");
  CAF_CHECK_EQUAL(cgroup_quota_cores(t.dir / "x", "0::/../outside\n"), std::nullopt);
  CAF_CHECK_EQUAL(cgroup_quota_cores(t.dir, "0::x\n"), std::nullopt);
  std::string deep = "0::";
  for (int i = 0; i < 100; ++i)
    deep += "/d";
  CAF_CHECK_EQUAL(cgroup_quota_cores(t.dir, deep), std::nullopt);
}

CAF_TEST(this process may use at least one core and no more than the machine has) {
  auto n = usable_cores();
  CAF_CHECK_GREATER_OR_EQUAL(n, 1u);
  CAF_CHECK_LESS_OR_EQUAL(n, max_cores);
}

CAF_TEST(small machines keep two workers and one thread per I O pool) {
  for (unsigned cores : {2u, 3u, 5u}) {
    auto p = plan_threads(cores);
    CAF_CHECK_EQUAL(p.workers, 2u);
    CAF_CHECK_EQUAL(p.server_io, 1u);
    CAF_CHECK_EQUAL(p.client_io, 1u);
  }
}

CAF_TEST(one core runs one worker) {
  for (unsigned cores : {0u, 1u}) {
    auto p = plan_threads(cores);
    CAF_CHECK_EQUAL(p.cores, 1u);
    CAF_CHECK_EQUAL(p.workers, 1u);
    CAF_CHECK_EQUAL(p.server_io, 1u);
    CAF_CHECK_EQUAL(p.client_io, 1u);
    CAF_CHECK_EQUAL(command_plan(cores).workers, 1u);
  }
}

CAF_TEST(commands other than serve run two workers and one I O thread on any larger machine) {
  for (unsigned cores : {2u, 9u, 5000u}) {
    auto p = command_plan(cores);
    CAF_CHECK_EQUAL(p.workers, 2u);
    CAF_CHECK_EQUAL(p.client_io, 1u);
    CAF_CHECK_EQUAL(p.server_io, 1u);
  }
  CAF_CHECK_EQUAL(command_plan(5000).cores, max_cores);
}

CAF_TEST(larger machines give each pool a third of the cores up to 32) {
  auto nine = plan_threads(9);
  CAF_CHECK_EQUAL(nine.cores, 9u);
  CAF_CHECK_EQUAL(nine.workers, 3u);
  CAF_CHECK_EQUAL(nine.server_io, 3u);
  CAF_CHECK_EQUAL(nine.client_io, 3u);
  auto big = plan_threads(5000);
  CAF_CHECK_EQUAL(big.cores, max_cores);
  CAF_CHECK_EQUAL(big.workers, 32u);
  CAF_CHECK_EQUAL(big.server_io, 32u);
  CAF_CHECK_EQUAL(big.client_io, 32u);
}

CAF_TEST(with the I O on the workers every core runs one worker and no I O thread starts) {
  for (unsigned cores : {0u, 1u, 2u, 9u}) {
    auto p = workers_plan(cores);
    CAF_CHECK(p.io_on_workers);
    CAF_CHECK_EQUAL(p.workers, std::max(cores, 1u));
    CAF_CHECK_EQUAL(p.server_io, 0u);
    CAF_CHECK_EQUAL(p.client_io, 0u);
  }
  CAF_CHECK_EQUAL(workers_plan(5000).workers, 96u); // the three pools' bound together
  CAF_CHECK(!plan_threads(2).io_on_workers);
  CAF_CHECK(!command_plan(2).io_on_workers);
}
