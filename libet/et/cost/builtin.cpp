// The built-in price table.
//
// Source: LiteLLM's model_prices_and_context_window.json (BerriAI/litellm,
// MIT), the version of 2025-11-21 (upstream commit caddc6dd0fc2, file last
// changed in be9f2e026c24). Numbers are copied for the models listed here only;
// a newer file can be loaded at run time (pricing.file) and wins over this table.
//
// Where LiteLLM lists an API under several providers, the provider's own API
// is used: "gemini/..." (Google AI Studio) rather than Vertex AI. Not modelled:
// long-context tiers (Gemini above 200k prompt tokens, Claude Sonnet 4.x 1M
// beta), Anthropic's 1-hour cache writes, batch and priority tiers. A cache
// price the provider does not list is the input price (OpenAI and Gemini bill
// no cache writes; those providers never report any).

#include "et/cost/prices.hpp"

#include <array>

namespace et::cost {

namespace {

// USD per million tokens, as the providers publish them.
struct row {
  const char* id;
  double input;
  double output;
  double cache_read;
  double cache_write;
  int64_t max_input;
};

constexpr int64_t k128 = 128'000;
constexpr int64_t k200 = 200'000;
constexpr int64_t k272 = 272'000;
constexpr int64_t m1 = 1'048'576;

constexpr std::array rows{
    // OpenAI
    row{"gpt-5", 1.25, 10.00, 0.125, 1.25, k272},
    row{"gpt-5-mini", 0.25, 2.00, 0.025, 0.25, k272},
    row{"gpt-5-nano", 0.05, 0.40, 0.005, 0.05, k272},
    row{"gpt-5-pro", 15.00, 120.00, 15.00, 15.00, 400'000},
    row{"gpt-5-chat", 1.25, 10.00, 0.125, 1.25, k272},
    row{"gpt-5-chat-latest", 1.25, 10.00, 0.125, 1.25, k128},
    row{"gpt-5-codex", 1.25, 10.00, 0.125, 1.25, k272},
    row{"gpt-5.1", 1.25, 10.00, 0.125, 1.25, k272},
    row{"gpt-5.1-chat-latest", 1.25, 10.00, 0.125, 1.25, k128},
    row{"gpt-5.1-codex", 1.25, 10.00, 0.125, 1.25, k272},
    row{"gpt-5.1-codex-mini", 0.25, 2.00, 0.025, 0.25, k272},
    row{"gpt-4.1", 2.00, 8.00, 0.50, 2.00, 1'047'576},
    row{"gpt-4.1-mini", 0.40, 1.60, 0.10, 0.40, 1'047'576},
    row{"gpt-4.1-nano", 0.10, 0.40, 0.025, 0.10, 1'047'576},
    row{"gpt-4o", 2.50, 10.00, 1.25, 2.50, k128},
    // The first gpt-4o snapshot kept its launch price.
    row{"gpt-4o-2024-05-13", 5.00, 15.00, 5.00, 5.00, k128},
    row{"gpt-4o-mini", 0.15, 0.60, 0.075, 0.15, k128},
    row{"gpt-4-turbo", 10.00, 30.00, 10.00, 10.00, k128},
    row{"gpt-4", 30.00, 60.00, 30.00, 30.00, 8'192},
    row{"gpt-3.5-turbo", 0.50, 1.50, 0.50, 0.50, 16'385},
    row{"o1", 15.00, 60.00, 7.50, 15.00, k200},
    row{"o1-mini", 1.10, 4.40, 0.55, 1.10, k128},
    row{"o1-pro", 150.00, 600.00, 150.00, 150.00, k200},
    row{"o3", 2.00, 8.00, 0.50, 2.00, k200},
    row{"o3-mini", 1.10, 4.40, 0.55, 1.10, k200},
    row{"o3-pro", 20.00, 80.00, 20.00, 20.00, k200},
    row{"o4-mini", 1.10, 4.40, 0.275, 1.10, k200},
    row{"codex-mini-latest", 1.50, 6.00, 0.375, 1.50, k200},
    // Anthropic (cache writes: the 5-minute TTL price). Sonnet 4's 1M window
    // is a beta with its own prices; the standard window is listed.
    row{"claude-opus-4-1", 15.00, 75.00, 1.50, 18.75, k200},
    row{"claude-opus-4", 15.00, 75.00, 1.50, 18.75, k200},
    row{"claude-4-opus", 15.00, 75.00, 1.50, 18.75, k200},
    row{"claude-sonnet-4-5", 3.00, 15.00, 0.30, 3.75, k200},
    row{"claude-sonnet-4", 3.00, 15.00, 0.30, 3.75, k200},
    row{"claude-4-sonnet", 3.00, 15.00, 0.30, 3.75, k200},
    row{"claude-haiku-4-5", 1.00, 5.00, 0.10, 1.25, k200},
    row{"claude-3-7-sonnet", 3.00, 15.00, 0.30, 3.75, k200},
    row{"claude-3-5-sonnet", 3.00, 15.00, 0.30, 3.75, k200},
    // LiteLLM's "-latest" row says $1/$5; the dated snapshot row and
    // Anthropic's list say $0.80/$4.
    row{"claude-3-5-haiku", 0.80, 4.00, 0.08, 1.00, k200},
    row{"claude-3-opus", 15.00, 75.00, 1.50, 18.75, k200},
    row{"claude-3-haiku", 0.25, 1.25, 0.03, 0.30, k200},
    // Google Gemini API
    row{"gemini-3-pro-preview", 2.00, 12.00, 0.20, 2.00, m1},
    row{"gemini-2.5-pro", 1.25, 10.00, 0.3125, 1.25, m1},
    row{"gemini-2.5-flash", 0.30, 2.50, 0.03, 0.30, m1},
    row{"gemini-2.5-flash-lite", 0.10, 0.40, 0.025, 0.10, m1},
    row{"gemini-2.0-flash", 0.10, 0.40, 0.025, 0.10, m1},
    row{"gemini-2.0-flash-lite", 0.075, 0.30, 0.01875, 0.075, m1},
};

price_table make_table() {
  price_table table;
  for (const auto& r : rows) {
    model_price p;
    p.input_per_token = r.input / 1e6;
    p.output_per_token = r.output / 1e6;
    p.cache_read_per_token = r.cache_read / 1e6;
    p.cache_write_per_token = r.cache_write / 1e6;
    p.max_input_tokens = r.max_input;
    p.source = "built-in";
    table.set(r.id, std::move(p));
  }
  return table;
}

} // namespace

const price_table& builtin_prices() {
  static const price_table table = make_table();
  return table;
}

} // namespace et::cost
