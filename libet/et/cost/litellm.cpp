// Loading a LiteLLM model_prices_and_context_window.json: one object whose
// keys are model ids (sometimes provider-prefixed) and whose values hold
// per-token prices among many fields this loader ignores.

#include <fstream>
#include <sstream>

#include <boost/json.hpp>
#include <cmath>

#include "et/cost/prices.hpp"
#include "et/llm/plausible.hpp"

namespace et::cost {

namespace {

namespace json = boost::json;

// Numbers in the file mix integers and floats ("max_tokens": 8192 vs 8192.0).
std::optional<double> number(const json::object& entry, std::string_view key) {
  auto* v = entry.if_contains(key);
  if (v == nullptr)
    return std::nullopt;
  if (v->is_double()) // a price or a window is finite; 1e400 parses as inf
    return std::isfinite(v->get_double()) ? std::optional<double>{v->get_double()} : std::nullopt;
  if (v->is_int64())
    return static_cast<double>(v->get_int64());
  if (v->is_uint64())
    return static_cast<double>(v->get_uint64());
  return std::nullopt;
}

std::optional<model_price> parse_entry(const json::object& entry) {
  auto input = number(entry, "input_cost_per_token");
  auto output = number(entry, "output_cost_per_token");
  if (!input || !output || *input < 0 || *output < 0)
    return std::nullopt;
  model_price p;
  p.input_per_token = *input;
  p.output_per_token = *output;
  // Without a cache price, cached tokens are billed as ordinary input: an
  // over-estimate at worst, never a made-up discount.
  p.cache_read_per_token = number(entry, "cache_read_input_token_cost").value_or(*input);
  p.cache_write_per_token = number(entry, "cache_creation_input_token_cost").value_or(*input);
  if (p.cache_read_per_token < 0 || p.cache_write_per_token < 0)
    return std::nullopt; // a negative price would hide real spend
  if (auto window = number(entry, "max_input_tokens");
      window && *window > 0 && *window <= static_cast<double>(max_token_count))
    p.max_input_tokens = static_cast<int64_t>(*window);
  p.source = "file";
  return p;
}

} // namespace

result<price_table> parse_litellm(std::string_view json_text) {
  boost::system::error_code ec;
  auto doc = json::parse(json_text, ec);
  if (ec)
    return make_failure(errc::invalid_input, "price map is not JSON: " + ec.message());
  if (!doc.is_object())
    return make_failure(errc::invalid_input, "price map is not a JSON object");
  price_table table;
  for (const auto& [key, value] : doc.get_object()) {
    // sample_spec documents the fields; its values are descriptions.
    if (key == "sample_spec" || !value.is_object())
      continue;
    if (auto p = parse_entry(value.get_object()))
      table.set(key, std::move(*p));
  }
  return table;
}

result<price_table> load_litellm(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return make_failure(errc::io_error, "cannot open price map " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return make_failure(errc::io_error, "cannot read price map " + file.string());
  auto table = parse_litellm(text.str());
  if (!table)
    return make_failure(table.error().code, file.string() + ": " + table.error().message);
  return table;
}

} // namespace et::cost
