#include "et/cost/prices.hpp"

#include <algorithm>
#include <cctype>

#include "et/util/text.hpp"
#include "et/util/url.hpp"

namespace et::cost {

namespace {

constexpr double per_million = 1'000'000.0;

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// Dates ("2024", "08", "20250514", "0125") and release tags name a snapshot
// of one model. A single digit is a version ("claude-opus-4-5") and words
// such as "mini" name a different model, so neither may be dropped.
bool is_qualifier(std::string_view segment) {
  return segment == "latest" || segment == "preview" || segment == "exp"
         || (segment.size() >= 2 && all_digits(segment));
}

model_price local_price() {
  model_price p;
  p.source = "local";
  return p;
}

} // namespace

model_price to_model_price(const config::price& p) {
  model_price out;
  out.input_per_token = p.input / per_million;
  out.output_per_token = p.output / per_million;
  out.cache_read_per_token = p.cache_read / per_million;
  out.cache_write_per_token = p.cache_write / per_million;
  out.source = "config";
  return out;
}

void price_table::set(std::string_view key, model_price price) {
  entries_.insert_or_assign(ascii_lower(key), std::move(price));
}

const model_price* price_table::exact(std::string_view key) const {
  auto i = entries_.find(ascii_lower(key));
  return i == entries_.end() ? nullptr : &i->second;
}

namespace {

// `into` raised to `p` field by field.
void raise_to(model_price& into, const model_price& p) {
  into.input_per_token = std::max(into.input_per_token, p.input_per_token);
  into.output_per_token = std::max(into.output_per_token, p.output_per_token);
  into.cache_read_per_token = std::max(into.cache_read_per_token, p.cache_read_per_token);
  into.cache_write_per_token = std::max(into.cache_write_per_token, p.cache_write_per_token);
}

} // namespace

model_price price_table::dearest() const {
  model_price out;
  for (const auto& [key, p] : entries_)
    raise_to(out, p);
  return out;
}

std::optional<model_price> price_table::find(std::string_view model_id,
                                             std::string_view provider) const {
  auto id = ascii_lower(model_id);
  auto slash = id.rfind('/');
  // A prefix written by the user ("openai/gpt-4o") is taken at its word first.
  if (slash != std::string::npos)
    if (auto* p = exact(id))
      return *p;
  std::string_view family = id;
  if (slash != std::string::npos)
    family.remove_prefix(slash + 1);
  auto prefix = ascii_lower(provider);
  for (; !family.empty(); family = drop_qualifier(family)) {
    if (!prefix.empty())
      if (auto* p = exact(prefix + "/" + std::string(family)))
        return *p;
    if (auto* p = exact(family))
      return *p;
  }
  return std::nullopt;
}

std::string_view drop_qualifier(std::string_view model_id) {
  auto dash = model_id.rfind('-');
  if (dash == std::string_view::npos || !is_qualifier(model_id.substr(dash + 1)))
    return {};
  return model_id.substr(0, dash);
}

bool is_ollama_cloud(std::string_view model_id, std::string_view base_url) {
  auto id = ascii_lower(model_id);
  if (ends_with(id, "-cloud") || ends_with(id, ":cloud"))
    return true;
  if (base_url.empty())
    return false;
  auto parsed = parse_url(base_url);
  if (!parsed)
    return false;
  auto host = ascii_lower(parsed->host);
  return host == "ollama.com" || ends_with(host, ".ollama.com");
}

model_price price_book::dearest(const std::map<std::string, config::model_alias>& models) const {
  auto out = file_.dearest();
  raise_to(out, builtin_prices().dearest());
  for (const auto& [name, alias] : models)
    if (alias.prices)
      raise_to(out, to_model_price(*alias.prices));
  return out;
}

result<price_book> price_book::from_config(const config::pricing& pricing) {
  if (pricing.file.empty())
    return price_book{};
  auto table = load_litellm(pricing.file);
  if (!table)
    return std::move(table).error();
  return price_book{std::move(*table)};
}

std::optional<model_price> price_book::lookup(config::provider_type type, std::string_view model_id,
                                              const config::model_alias* alias) const {
  return resolve(type, model_id, alias, is_ollama_cloud(model_id));
}

std::optional<model_price> price_book::lookup(const config::provider& provider,
                                              std::string_view model_id,
                                              const config::model_alias* alias) const {
  bool cloud = provider.type == config::provider_type::ollama
               && is_ollama_cloud(model_id, provider.base_url);
  return resolve(provider.type, model_id, alias, cloud);
}

std::optional<model_price> price_book::resolve(config::provider_type type,
                                               std::string_view model_id,
                                               const config::model_alias* alias, bool cloud) const {
  if (alias != nullptr && alias->prices) {
    auto p = to_model_price(*alias->prices);
    p.max_input_tokens = alias->context_window;
    return p;
  }
  if (type == config::provider_type::mock)
    return local_price();
  if (type == config::provider_type::ollama) {
    // LiteLLM lists Ollama cloud models at $0, which they are not: only the
    // user knows their plan, so those stay unpriced without an alias price.
    if (cloud)
      return std::nullopt;
    return local_price();
  }
  auto provider = config::to_string(type);
  if (auto p = file_.find(model_id, provider))
    return p;
  return builtin_prices().find(model_id, provider);
}

} // namespace et::cost
