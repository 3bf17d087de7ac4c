#pragma once
/// JSON parsed within a memory bound. A bound on the text is not one on the memory its values
/// take: [0,0,...] is 2 bytes of text and 16 or more of value for each element (32 while the
/// parser's stack holds them), so 62 MB of an upstream's answer took 1.5 GB to parse.

#include <boost/json/memory_resource.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <memory>
#include <string_view>

#include "et/util/result.hpp"

namespace et {

/// The default resource's memory up to a budget, then std::bad_alloc. One parse uses it, on
/// one thread, until `lifted` (when given) says the parse is over: from then on its values may
/// be kept, copied into and freed anywhere, unbounded.
class json_budget final : public boost::json::memory_resource {
public:
  /// A budget of `bytes`, bounded until `*lifted` (the resource may sit inside a shared one,
  /// where no pointer to it can be had: the flag is how its owner reaches it).
  explicit json_budget(std::size_t bytes, std::shared_ptr<const bool> lifted = nullptr);

  /// Takes `bytes` off what is left, or throws std::bad_alloc (for memory taken elsewhere).
  void charge(std::size_t bytes);

private:
  bool bounded() const { return !lifted_ || !*lifted_; }
  void* do_allocate(std::size_t bytes, std::size_t align) override;
  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override;
  bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }

  std::size_t left_;
  std::shared_ptr<const bool> lifted_;
  memory_resource* upstream_;
};

/// JSON this short takes at most about 32 times its size (1 MiB after 2 KiB of stack),
/// whatever it holds: it is parsed without a budget, as a stream's events are.
inline constexpr std::size_t small_json_bytes = std::size_t{32} << 10;

/// `text` parsed with at most `max_depth` levels and, past small_json_bytes, `budget` bytes
/// of memory (values and the parser's stack); errc::invalid_input past either, or when
/// malformed ("malformed `what`: ..."). Bounded values own their memory (a shared resource,
/// bound lifted once parsed).
result<boost::json::value> parse_within(std::string_view text, std::size_t budget, int max_depth,
                                        std::string_view what);

/// The budget et gives JSON of `text_bytes` bytes: four times the text (text is mostly
/// strings, which take their size again) and 64 KiB.
constexpr std::size_t json_budget_for(std::size_t text_bytes) {
  return 4 * text_bytes + (std::size_t{64} << 10);
}

} // namespace et
