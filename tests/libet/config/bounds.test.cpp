#define CAF_SUITE libet.config.bounds
#include "loader_support.hpp"

// Limits on what a file can make the loader read: alias expansion ("billion
// laughs"), nesting depth and file size, each refused with file:line.

using namespace et;
using namespace loader_test;

namespace {

// Level 0 is a list of ten scalars; each further level a list of ten aliases
// of the one before, so level n expands to about 10^(n+1) nodes.
std::string laughs(int levels) {
  std::string out = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= levels; ++i) {
    auto prev = "*l" + std::to_string(i - 1);
    out += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j)
      out += (j ? ", " : "") + prev;
    out += "]\n";
  }
  return out;
}

} // namespace

CAF_TEST(a billion laughs file is refused at the line where it grows too large) {
  // Levels 0..3 expand to 12,344 nodes in all; level 4 (111,111) crosses
  // 100,000 on line 5.
  auto out = check(laughs(8));
  CAF_REQUIRE_EQUAL(out.diagnostics.size(), 1u);
  auto text = config::to_string(out.diagnostics);
  CAF_CHECK(text.rfind(cfg + ":5:", 0) == 0);
  CAF_CHECK(text.find("expands to more than 100000 nodes") != std::string::npos);
}

CAF_TEST(a few aliases are fine) {
  // Unknown keys only: the limit did not trigger.
  auto text = errors(laughs(2));
  CAF_CHECK(text.find("expands to more than") == std::string::npos);
  CAF_CHECK(text.find("unknown key") != std::string::npos);
}

CAF_TEST(a long string repeated by aliases is refused) {
  std::string yaml = "s: &s " + std::string(1 << 20, 'x') + "\nlist: [";
  for (int i = 0; i < 20; ++i)
    yaml += (i ? ", " : "") + std::string{"*s"};
  yaml += "]\n";
  auto text = errors(yaml);
  CAF_CHECK(text.rfind(cfg + ":2:", 0) == 0);
  CAF_CHECK(text.find("expands to more than 16 MiB of text") != std::string::npos);
}

CAF_TEST(an alias inside its own anchor is refused) {
  auto text = errors("providers: &p {x: *p}\n");
  CAF_CHECK(text.rfind(cfg + ":1:", 0) == 0);
  CAF_CHECK(text.find("an alias refers to a node that contains it") != std::string::npos);
}

CAF_TEST(deep nesting is refused at the line where it gets too deep) {
  std::string yaml = "providers:\n";
  for (int i = 0; i < 100; ++i)
    yaml += std::string(static_cast<size_t>(i + 1) * 2, ' ') + "k" + std::to_string(i) + ":\n";
  auto text = errors(yaml);
  // The mapping at level d opens on line d (the top-level one on line 1), so
  // the 65th opens on line 65.
  CAF_CHECK(text.rfind(cfg + ":65:", 0) == 0);
  CAF_CHECK(text.find("nested deeper than 64 levels") != std::string::npos);
}

CAF_TEST(a file over 4 MiB is refused without parsing it) {
  et::test::scratch_dir tmp{"bounds"};
  auto file = tmp.dir / "big.yaml";
  {
    std::ofstream out{file, std::ios::binary};
    std::string line = "# " + std::string(1021, 'x') + "\n";
    for (int i = 0; i < 4 * 1024 + 1; ++i)
      out << line;
  }
  auto out = config::check_file(file, fake_env());
  CAF_REQUIRE_EQUAL(out.diagnostics.size(), 1u);
  CAF_CHECK_EQUAL(out.diagnostics[0].file, file.string());
  CAF_CHECK(out.diagnostics[0].message.find("larger than 4 MiB") != std::string::npos);
  auto read = config::read_config(file);
  CAF_CHECK(!read.has_value());
}
