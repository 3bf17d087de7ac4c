#define CAF_SUITE libet.util.private_files
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "et/util/private_files.hpp"
#include "temp_dir.hpp"

using namespace et;
namespace fs = std::filesystem;

namespace {

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0)
    return 01000000;
  return st.st_mode & 07777;
}

struct fixture : et::test::scratch_dir {
  mode_t old_umask = ::umask(0);

  fixture() : scratch_dir("privfiles") {}

  ~fixture() { ::umask(old_umask); }
};

} // namespace

CAF_TEST(temporary names are unique and recognised exactly) {
  std::set<std::string> names;
  for (int i = 0; i < 100; ++i)
    names.insert(temp_name_for("result.md"));
  CAF_CHECK_EQUAL(names.size(), 100u);
  pid_t pid = 0;
  auto name = *names.begin();
  CAF_CHECK(name.starts_with("result.md.et-" + std::to_string(::getpid()) + "-"));
  CAF_CHECK(is_temp_name(name, &pid));
  CAF_CHECK_EQUAL(pid, ::getpid());
  CAF_CHECK(is_temp_name("a.et-1-0123456789abcdef.tmp"));
  for (auto other :
       {"a.tmp", "result.md.tmp", ".et-tmp-12-3", "a.et-1-0123456789abcde.tmp",
        "a.et-1-0123456789ABCDEF.tmp", "a.et--0123456789abcdef.tmp", ".et-1-0123456789abcdef.tmp",
        "a.et-1-0123456789abcdef.tmpx", "a.et-x1-0123456789abcdef.tmp"})
    if (is_temp_name(other))
      CAF_FAIL("taken for a temporary name: " << other);
}

CAF_TEST_FIXTURE_SCOPE(private_files_tests, fixture)

CAF_TEST(private folders and files are 0700 and 0600 even with umask 0) {
  CAF_REQUIRE(make_private_dir(dir / "a" / "b"));
  CAF_CHECK_EQUAL(mode_of(dir / "a"), 0700u);
  CAF_CHECK_EQUAL(mode_of(dir / "a" / "b"), 0700u);
  auto fd = open_private_file(dir / "a" / "f", O_WRONLY | O_CREAT | O_EXCL);
  CAF_REQUIRE(fd);
  ::close(*fd);
  CAF_CHECK_EQUAL(mode_of(dir / "a" / "f"), 0600u);
}

CAF_TEST(loose ones are tightened and the umask can only narrow) {
  fs::create_directories(dir / "loose");
  fs::permissions(dir / "loose", fs::perms(0777));
  std::ofstream{dir / "loose" / "f"} << "x";
  fs::permissions(dir / "loose" / "f", fs::perms(0666));
  CAF_REQUIRE(make_private_dir(dir / "loose"));
  CAF_CHECK_EQUAL(mode_of(dir / "loose"), 0700u);
  auto fd = open_private_file(dir / "loose" / "f", O_WRONLY | O_APPEND);
  CAF_REQUIRE(fd);
  ::close(*fd);
  CAF_CHECK_EQUAL(mode_of(dir / "loose" / "f"), 0600u);
  ::umask(077);
  CAF_REQUIRE(make_dirs(dir / "shared" / "x", 0755));
  CAF_CHECK_EQUAL(mode_of(dir / "shared" / "x"), 0700u);
}

CAF_TEST(a missing private folder that cannot be made is an io error naming it) {
  std::ofstream{dir / "file"} << "x";
  auto r = make_private_dir(dir / "file" / "sub");
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, errc::io_error);
  CAF_CHECK(r.error().message.find("file/sub") != std::string::npos);
}

CAF_TEST(only et temporaries of gone processes are cleaned and symlinks are not followed) {
  fs::create_directories(dir / "out" / "src");
  fs::create_directories(dir / "elsewhere");
  auto gone = "a.txt.et-999999999-0123456789abcdef.tmp";
  auto live = "b.txt.et-" + std::to_string(::getppid()) + "-0123456789abcdef.tmp";
  std::ofstream{dir / "out" / gone} << "x";
  std::ofstream{dir / "out" / "src" / gone} << "x";
  std::ofstream{dir / "out" / live} << "x";
  std::ofstream{dir / "out" / "keep.tmp"} << "x";
  std::ofstream{dir / "elsewhere" / gone} << "x";
  fs::create_directory_symlink(dir / "elsewhere", dir / "out" / "link");
  CAF_CHECK_EQUAL(remove_stale_temps(dir / "out", false), 1u);
  CAF_CHECK(fs::exists(dir / "out" / "src" / gone));
  CAF_CHECK_EQUAL(remove_stale_temps(dir / "out", true), 1u);
  CAF_CHECK(!fs::exists(dir / "out" / gone));
  CAF_CHECK(!fs::exists(dir / "out" / "src" / gone));
  CAF_CHECK(fs::exists(dir / "out" / live));
  CAF_CHECK(fs::exists(dir / "out" / "keep.tmp"));
  CAF_CHECK(fs::exists(dir / "elsewhere" / gone));
  CAF_CHECK_EQUAL(remove_stale_temps(dir / "missing", true), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
