#include "et/util/bounded_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/parser.hpp>
#include <new>
#include <string>

namespace et {

json_budget::json_budget(std::size_t bytes, std::shared_ptr<const bool> lifted)
    : left_(bytes), lifted_(std::move(lifted)), upstream_(boost::json::storage_ptr{}.get()) {}

void json_budget::charge(std::size_t bytes) {
  if (!bounded())
    return;
  if (bytes > left_)
    throw std::bad_alloc{};
  left_ -= bytes;
}

void* json_budget::do_allocate(std::size_t bytes, std::size_t align) {
  charge(bytes);
  return upstream_->allocate(bytes, align);
}

void json_budget::do_deallocate(void* p, std::size_t bytes, std::size_t align) {
  upstream_->deallocate(p, bytes, align);
  if (bounded())
    left_ += bytes;
}

result<boost::json::value> parse_within(std::string_view text, std::size_t budget, int max_depth,
                                        std::string_view what) {
  namespace json = boost::json;
  json::parse_options opts;
  opts.max_depth = static_cast<std::size_t>(max_depth);
  boost::system::error_code ec;
  if (text.size() <= small_json_bytes) { // a stream's event: no resource of its own to pay for
    auto value = json::parse(json::string_view{text.data(), text.size()}, ec, {}, opts);
    if (ec)
      return make_failure(errc::invalid_input,
                          "malformed " + std::string{what} + ": " + ec.message());
    return value;
  }
  // The values keep the resource (counted by storage_ptr), so it outlives this call; the
  // flag is the one way back to it (storage_ptr::get() is the wrapper, not the json_budget).
  auto lifted = std::make_shared<bool>(false);
  auto memory = json::make_shared_resource<json_budget>(budget, lifted);
  try {
    json::parser p{memory, opts}; // its stack draws from the budget too
    p.reset(memory);
    p.write(text.data(), text.size(), ec);
    if (ec)
      return make_failure(errc::invalid_input,
                          "malformed " + std::string{what} + ": " + ec.message());
    auto value = p.release();
    *lifted = true;
    return value;
  } catch (const std::bad_alloc&) {
    return make_failure(errc::invalid_input, "malformed " + std::string{what}
                                                 + ": more JSON values than its size allows "
                                                   "(many small ones)");
  }
}

} // namespace et
