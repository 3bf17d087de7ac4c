#include "et/util/paths.hpp"

#include <algorithm>
#include <iterator>
#include <system_error>

namespace et {

namespace fs = std::filesystem;

bool lies_within(const fs::path& inner, const fs::path& outer) {
  auto in = inner.lexically_normal();
  auto out = outer.lexically_normal();
  if (in.is_absolute() != out.is_absolute())
    return false;
  auto [o, i] = std::mismatch(out.begin(), out.end(), in.begin(), in.end());
  return o == out.end() || (std::next(o) == out.end() && o->empty()); // "a/" holds "a/b"
}

fs::path resolved_path(const fs::path& p) {
  std::error_code ec;
  auto absolute = fs::absolute(p, ec);
  if (ec)
    return p.lexically_normal();
  auto out = fs::weakly_canonical(absolute, ec);
  return ec ? absolute.lexically_normal() : out;
}

} // namespace et
