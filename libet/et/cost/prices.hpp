#pragma once
/// What a token costs: a built-in table of list prices, a LiteLLM-format price
/// map file, per-alias overrides from the configuration, and the rules that
/// match a provider's model id (dated, prefixed, "-latest") to a price. An
/// unknown model is unpriced (std::nullopt), never silently free.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "et/config/settings.hpp"
#include "et/util/result.hpp"

namespace et::cost {

/// The price of one model in USD per token.
struct model_price {
  double input_per_token = 0;              ///< uncached prompt tokens
  double output_per_token = 0;             ///< completion tokens (reasoning included)
  double cache_read_per_token = 0;         ///< prompt tokens read from the cache
  double cache_write_per_token = 0;        ///< prompt tokens written to the cache
  std::optional<int64_t> max_input_tokens; ///< context window, when known
  std::string source;                      ///< "built-in", "file", "config" or "local"
  /// Field-wise equality.
  bool operator==(const model_price&) const = default;
};

/// A configured price (USD per million tokens) as a model_price with source "config".
model_price to_model_price(const config::price& p);

/// Prices by model id, with the matching rules of find().
class price_table {
public:
  /// Adds or replaces the price of `key`: a model id, maybe provider-prefixed
  /// ("gemini/gemini-2.5-flash"). Keys are compared case-insensitively.
  void set(std::string_view key, model_price price);

  /// The price stored under exactly `key` (case-insensitive), or nullptr.
  const model_price* exact(std::string_view key) const;

  /// The price of `model_id`. `provider` ("openai", "gemini", ...) names the
  /// key prefix preferred where a map lists one model under several providers.
  /// Tried in order: the id as written when it has a prefix; then, for the id
  /// without its prefixes ("models/x" -> "x") and each family obtained by
  /// dropping trailing date or tag segments ("-2024-08-06", "-20250514",
  /// "-latest", "-preview-05-20"), "provider/family" and "family". Size or
  /// variant segments ("-mini", "-lite", "-5") are never dropped, so
  /// "gpt-4o-mini" cannot fall back to "gpt-4o".
  std::optional<model_price> find(std::string_view model_id, std::string_view provider = {}) const;

  /// The highest of each per-token price over every entry (zeros when empty).
  model_price dearest() const;

  /// Number of entries.
  size_t size() const { return entries_.size(); }
  /// True when there are no entries.
  bool empty() const { return entries_.empty(); }

private:
  std::map<std::string, model_price, std::less<>> entries_;
};

/// The built-in list prices (OpenAI, Anthropic, Gemini), source "built-in".
const price_table& builtin_prices();

/// The family of `model_id` one step up: "gpt-4o-2024-08-06" -> "gpt-4o-2024-08",
/// "claude-3-5-sonnet-latest" -> "claude-3-5-sonnet"; "" when the last
/// segment is not a date or tag ("gpt-4o-mini", "claude-opus-4-5").
std::string_view drop_qualifier(std::string_view model_id);

/// Parses the text of a LiteLLM model_prices_and_context_window.json: entries
/// with input_cost_per_token and output_cost_per_token, plus the cache prices
/// (the input price where absent) and max_input_tokens. `sample_spec` and
/// entries without prices are skipped. Source "file".
result<price_table> parse_litellm(std::string_view json_text);

/// Reads and parses a LiteLLM price map file (see parse_litellm).
result<price_table> load_litellm(const std::filesystem::path& file);

/// True for Ollama models that run on ollama.com rather than locally: ids
/// ending in "-cloud" or ":cloud", or a provider whose base_url is on ollama.com.
bool is_ollama_cloud(std::string_view model_id, std::string_view base_url = {});

/// All price sources, consulted in priority order: the alias's `prices`, the
/// price map file, the built-in table.
class price_book {
public:
  /// Built-in prices only.
  price_book() = default;
  /// Built-in prices under those of a loaded price map file.
  explicit price_book(price_table file) : file_(std::move(file)) {}

  /// A book with the file of `pricing` loaded, when one is configured.
  static result<price_book> from_config(const config::pricing& pricing);

  /// The price of `model_id` served by a provider of `type`. `alias` (may be
  /// null) is the alias the call went through; its prices win. Local
  /// providers (ollama, mock) cost $0, except Ollama cloud models, which are
  /// unpriced unless the alias sets prices. Unknown models: std::nullopt.
  std::optional<model_price> lookup(config::provider_type type, std::string_view model_id,
                                    const config::model_alias* alias) const;

  /// As above, also recognising an Ollama provider whose base_url is ollama.com.
  std::optional<model_price> lookup(const config::provider& provider, std::string_view model_id,
                                    const config::model_alias* alias) const;

  /// The loaded price map file (empty when none).
  const price_table& file() const { return file_; }

  /// The highest of each per-token price of the file, the built-in table and `models`'
  /// configured prices: what no answer's tokens can cost more than.
  model_price dearest(const std::map<std::string, config::model_alias>& models) const;

private:
  std::optional<model_price> resolve(config::provider_type type, std::string_view model_id,
                                     const config::model_alias* alias, bool cloud) const;

  price_table file_;
};

} // namespace et::cost
