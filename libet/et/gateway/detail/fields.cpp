#include "et/gateway/detail/fields.hpp"

#include "et/gateway/detail/images.hpp"
#include "et/gateway/errors.hpp"
#include "et/util/bounded_json.hpp"
#include "et/util/json_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <new>

namespace et::gateway::detail {

// Field names and problems carry client bytes (JSON keys, type names): kept on one line,
// bounded, and free of the backquotes that delimit the field.
failure bad_field(std::string_view field, std::string_view problem) {
  return make_failure(errc::invalid_input,
                      "`" + printable(field, 200) + "`: " + printable(problem, 400));
}

failure unsupported_field(std::string_view field, std::string_view problem) {
  return make_failure(errc::unsupported,
                      "`" + printable(field, 200) + "`: " + printable(problem, 400));
}

namespace {

using memory_resource = boost::container::pmr::memory_resource;

// Values placed one after another in blocks of the default resource (at most 1 MiB each, the
// first inside the arena) and freed together; each byte asked for, not the blocks' spare
// room, counts against the budget. No count of owners on each value, as a shared resource
// keeps, and no free of each: a small request parses about a third faster than through
// Boost.JSON's default resource (et-bench-decoders).
class value_arena final : public memory_resource {
public:
  explicit value_arena(json_budget& budget) : budget_(budget) {}
  ~value_arena() override {
    for (auto [at, size] : blocks_)
      upstream_->deallocate(at, size, alignof(std::max_align_t));
  }
  value_arena(const value_arena&) = delete;
  value_arena& operator=(const value_arena&) = delete;

private:
  static constexpr std::size_t max_block = std::size_t{1} << 20;

  void* do_allocate(std::size_t bytes, std::size_t align) override {
    budget_.charge(bytes);
    auto at = (used_ + align - 1) / align * align;
    if (at + bytes > size_) {
      size_ = std::max(bytes + align, next_);
      next_ = std::min(next_ * 2, max_block);
      block_ = static_cast<unsigned char*>(upstream_->allocate(size_, alignof(std::max_align_t)));
      blocks_.emplace_back(block_, size_);
      at = 0;
    }
    used_ = at + bytes;
    return block_ + at;
  }
  void do_deallocate(void*, std::size_t, std::size_t) override {} // freed with the arena
  bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }

  json_budget& budget_;
  memory_resource* upstream_ = json::storage_ptr{}.get();
  alignas(std::max_align_t) unsigned char first_[4096]; // a small request takes no block
  unsigned char* block_ = first_;
  std::size_t size_ = sizeof first_;
  std::size_t used_ = 0;
  std::size_t next_ = 16 << 10;
  std::vector<std::pair<unsigned char*, std::size_t>> blocks_;
};

} // namespace

// A parse's memory: its budget, and the arena its values live in.
struct parse_arena {
  explicit parse_arena(std::size_t budget) : budget_left(budget) {}
  json_budget budget_left;
  value_arena values{budget_left};
};

parsed_json::parsed_json(std::unique_ptr<parse_arena> arena, json::value value)
    : arena_(std::move(arena)), value_(std::move(value)) {}
parsed_json::parsed_json(parsed_json&&) noexcept = default;
parsed_json::~parsed_json() = default;

result<parsed_json> parse_bounded(std::string_view text, int max_depth, std::string_view what) {
  auto arena = std::make_unique<parse_arena>(json_budget_for(text.size()));
  json::parse_options opts;
  opts.max_depth = static_cast<std::size_t>(max_depth);
  boost::system::error_code ec;
  try {
    // The parser's own stack draws from the budget too (it holds every value until its array
    // or object closes, as much again as the tree), not from the arena: it grows by moving,
    // and what it leaves behind is freed, not kept until the end.
    json::parser p{json::storage_ptr{&arena->budget_left}, opts};
    p.reset(json::storage_ptr{&arena->values});
    p.write(text.data(), text.size(), ec);
    if (ec)
      return make_failure(errc::invalid_input,
                          std::string{what} + " is not valid JSON: " + ec.message());
    auto value = p.release();
    return parsed_json{std::move(arena), std::move(value)};
  } catch (const std::bad_alloc&) {
    return make_failure(errc::invalid_input, std::string{what}
                                                 + " holds more JSON values than "
                                                   "its size allows (many small ones)");
  }
}

result<parsed_json> parse_body(std::string_view body, const limits& bounds) {
  if (body.size() > bounds.max_body_bytes)
    return make_failure(errc::invalid_input, "the request body is larger than "
                                                 + std::to_string(bounds.max_body_bytes)
                                                 + " bytes");
  // A request is a few levels deep; deeper is an attack or a mistake.
  auto parsed = parse_bounded(body, 32, "the request body");
  if (!parsed)
    return std::move(parsed).error();
  if (!parsed->value().is_object())
    return make_failure(errc::invalid_input, "the request body is not a JSON object");
  return parsed;
}

result<std::string> string_of(const json::value& v, std::string_view field, std::size_t max) {
  if (!v.is_string())
    return bad_field(field, "expected a string");
  const auto& s = v.get_string();
  if (s.size() > max)
    return bad_field(field, "longer than " + std::to_string(max) + " bytes");
  return std::string{s.data(), s.size()};
}

result<double> number_of(const json::value& v, std::string_view field, double lo, double hi) {
  if (!v.is_number())
    return bad_field(field, "expected a number");
  double d = v.to_number<double>();
  if (!std::isfinite(d) || d < lo || d > hi) {
    auto range = std::to_string(lo) + " to " + std::to_string(hi);
    return bad_field(field, "expected a number from " + range);
  }
  return d;
}

result<int64_t> integer_of(const json::value& v, std::string_view field, int64_t lo, int64_t hi) {
  std::optional<int64_t> n;
  if (v.is_int64())
    n = v.get_int64();
  else if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(hi))
    n = static_cast<int64_t>(v.get_uint64());
  else if (v.is_double() && v.get_double() == std::trunc(v.get_double())
           && std::abs(v.get_double()) < 9e15)
    n = static_cast<int64_t>(v.get_double());
  if (!n || *n < lo || *n > hi)
    return bad_field(field, "expected a whole number from " + std::to_string(lo) + " to "
                                + std::to_string(hi));
  return *n;
}

result<bool> bool_of(const json::value& v, std::string_view field) {
  if (!v.is_bool())
    return bad_field(field, "expected true or false");
  return v.get_bool();
}

result<std::vector<std::string>> stops_of(const json::value& v, std::string_view field,
                                          const limits& bounds) {
  std::vector<std::string> out;
  if (v.is_null())
    return out;
  if (v.is_string()) {
    auto s = string_of(v, field, bounds.max_stop_bytes);
    if (!s)
      return std::move(s).error();
    out.push_back(std::move(*s));
    return out;
  }
  if (!v.is_array())
    return bad_field(field, "expected a string or an array of strings");
  const auto& a = v.get_array();
  if (a.size() > bounds.max_stop)
    return bad_field(field, "more than " + std::to_string(bounds.max_stop) + " stop sequences");
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto s =
        string_of(a[i], std::string{field} + "[" + std::to_string(i) + "]", bounds.max_stop_bytes);
    if (!s)
      return std::move(s).error();
    out.push_back(std::move(*s));
  }
  return out;
}

result<std::string> text_parts(const json::value& v, std::string_view field, const limits& bounds,
                               const std::vector<std::string_view>& ignored) {
  message turn;
  if (auto ok = parts_into(v, field, bounds, {{"text"}, {}, nullptr, ignored}, turn); !ok)
    return ok.error();
  return std::move(turn.content);
}

result<std::string> required_string(const json::object& o, std::string_view key,
                                    const std::string& parent, std::size_t max) {
  auto field = parent + "." + std::string{key};
  const auto* v = o.if_contains(key);
  if (v == nullptr)
    return bad_field(field, "missing");
  return string_of(*v, field, max);
}

result<void> check_members(const json::object& o, const std::string& field,
                           std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : o) {
    bool ok = false;
    for (auto k : known)
      ok = ok || view(key) == k;
    if (!ok)
      return bad_field(field + "." + std::string{view(key)}, "unknown field");
  }
  return {};
}

result<void> one_of(const json::object& o, std::string_view key, const std::string& parent,
                    std::initializer_list<std::string_view> allowed) {
  auto value = required_string(o, key, parent, 32);
  if (!value)
    return std::move(value).error();
  for (auto a : allowed)
    if (a == *value)
      return {};
  std::string names;
  for (auto a : allowed)
    names += (names.empty() ? "" : ", ") + std::string{a};
  return bad_field(parent + "." + std::string{key}, "expected one of " + names);
}

result<std::string> schema_text(const json::value* v, const std::string& field,
                                const limits& bounds) {
  if (v == nullptr || v->is_null())
    return std::string{"{}"};
  if (!v->is_object())
    return bad_field(field, "expected a JSON schema object");
  auto text = json_text(*v);
  if (text.size() > bounds.max_string_bytes)
    return bad_field(field, "longer than " + std::to_string(bounds.max_string_bytes) + " bytes");
  return text;
}

result<void> token_limit(const json::value& v, std::string_view field, const limits& bounds,
                         chat_request& req) {
  if (v.is_null())
    return {};
  auto n = integer_of(v, field, 1, bounds.max_tokens);
  if (!n)
    return std::move(n).error();
  req.max_tokens = static_cast<int32_t>(*n);
  return {};
}

result<void> sampling(const json::value& v, std::string_view field, chat_request& req) {
  if (v.is_null())
    return {};
  bool temperature = field == "temperature";
  auto d = number_of(v, field, 0, temperature ? 2 : 1);
  if (!d)
    return std::move(d).error();
  (temperature ? req.temperature : req.top_p) = *d;
  return {};
}

} // namespace et::gateway::detail

namespace et::gateway {

std::string failed_field(const failure& f) {
  auto open = f.message.find('`');
  if (open == std::string::npos)
    return {};
  auto close = f.message.find('`', open + 1);
  if (close == std::string::npos)
    return {};
  return f.message.substr(open + 1, close - open - 1);
}

} // namespace et::gateway
