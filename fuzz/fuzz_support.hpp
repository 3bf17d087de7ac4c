#pragma once
/// Helpers shared by the fuzz targets: invariant checks that stop the fuzzer
/// with a message, and chunkings of an input derived from the input itself, so
/// a crash reproduces from its bytes alone.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

/// Aborts (a libFuzzer crash) with the failed condition when `cond` is false.
#define FUZZ_CHECK(cond, what)                                                                     \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "invariant violated at %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond,    \
                   what);                                                                          \
      std::abort();                                                                                \
    }                                                                                              \
  } while (false)

namespace et::fuzz {

/// The input as a string view.
inline std::string_view bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// FNV-1a of `s`: the seed of the input's chunkings.
inline uint64_t hash(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s)
    h = (h ^ c) * 1099511628211ull;
  return h;
}

/// `s` cut into chunks of 1..max_chunk bytes, sizes drawn from a generator seeded with `seed`.
inline std::vector<std::string_view> chunks(std::string_view s, uint64_t seed, size_t max_chunk) {
  std::vector<std::string_view> out;
  uint64_t x = seed | 1;
  while (!s.empty()) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    size_t n = 1 + static_cast<size_t>(x % max_chunk);
    if (n > s.size())
      n = s.size();
    out.push_back(s.substr(0, n));
    s.remove_prefix(n);
  }
  return out;
}

/// The chunkings every streaming target compares with feeding `s` whole: byte by byte (for
/// inputs small enough), small and larger random chunks, and a cut in two at every "\r".
inline std::vector<std::vector<std::string_view>> splits(std::string_view s) {
  std::vector<std::vector<std::string_view>> out;
  out.push_back({s});
  if (s.size() <= 2048)
    out.push_back(chunks(s, 0, 1));
  auto h = hash(s);
  out.push_back(chunks(s, h, 7));
  out.push_back(chunks(s, h * 31 + 1, 64));
  if (auto cr = s.find('\r'); cr != std::string_view::npos)
    out.push_back({s.substr(0, cr + 1), s.substr(cr + 1)});
  return out;
}

} // namespace et::fuzz
