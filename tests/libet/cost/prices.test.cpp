#define CAF_SUITE libet.cost.prices
#include "caf/test/unit_test.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "et/cost/prices.hpp"
#include "temp_dir.hpp"

using namespace et;
using namespace et::cost;
namespace fs = std::filesystem;
using config::provider_type;

namespace {

bool near(double a, double b) {
  return std::fabs(a - b) <= 1e-12 + 1e-9 * std::fabs(b);
}

// USD per million tokens, the unit the providers publish.
double per_m(double per_token) {
  return per_token * 1e6;
}

std::optional<model_price> builtin(std::string_view id, std::string_view provider = {}) {
  return builtin_prices().find(id, provider);
}

struct temp_dir {
  et::test::scratch_dir scratch{"cost"};
  fs::path path = scratch.dir;
  fs::path write(const std::string& name, const std::string& text) const {
    auto file = path / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }
};

// A small map in LiteLLM's format: a sample_spec, an unpriced entry, integer
// and float numbers, one model under two provider prefixes.
const char* small_map = R"({
  "sample_spec": {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0,
                  "max_input_tokens": "max input tokens, if the provider specifies it"},
  "acme-large": {"input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06,
                 "cache_read_input_token_cost": 5e-07, "cache_creation_input_token_cost": 2.5e-06,
                 "max_input_tokens": 100000, "litellm_provider": "acme", "mode": "chat"},
  "acme-small": {"input_cost_per_token": 1, "output_cost_per_token": 0,
                 "max_input_tokens": 4096.0},
  "acme-embed": {"output_vector_size": 1024, "mode": "embedding"},
  "gpt-4o": {"input_cost_per_token": 9e-06, "output_cost_per_token": 9e-06},
  "gemini-9-flash": {"input_cost_per_token": 5e-07, "output_cost_per_token": 5e-07},
  "gemini/gemini-9-flash": {"input_cost_per_token": 1e-07, "output_cost_per_token": 4e-07,
                            "supported_regions": ["global"], "metadata": {"notes": "x"}}
})";

} // namespace

CAF_TEST(an exact id finds its built - in list price) {
  auto p = builtin("gpt-4o");
  CAF_REQUIRE(p);
  CAF_CHECK(near(per_m(p->input_per_token), 2.50));
  CAF_CHECK(near(per_m(p->output_per_token), 10.00));
  CAF_CHECK(near(per_m(p->cache_read_per_token), 1.25));
  CAF_CHECK_EQUAL(p->max_input_tokens, std::optional<int64_t>{128'000});
  CAF_CHECK_EQUAL(p->source, "built-in");
}

CAF_TEST(a dated openai id matches its family) {
  auto p = builtin("gpt-4o-2024-08-06");
  CAF_REQUIRE(p);
  CAF_CHECK(near(per_m(p->input_per_token), 2.50));
  auto nano = builtin("gpt-4.1-nano-2025-04-14");
  CAF_REQUIRE(nano);
  CAF_CHECK(near(per_m(nano->input_per_token), 0.10));
  auto o3 = builtin("o3-mini-2025-01-31");
  CAF_REQUIRE(o3);
  CAF_CHECK(near(per_m(o3->output_per_token), 4.40));
}

CAF_TEST(a dated snapshot with its own price keeps it) {
  auto p = builtin("gpt-4o-2024-05-13");
  CAF_REQUIRE(p);
  CAF_CHECK(near(per_m(p->input_per_token), 5.00));
}

CAF_TEST(a mini model never falls back to the larger model) {
  auto mini = builtin("gpt-4o-mini-2024-07-18");
  CAF_REQUIRE(mini);
  CAF_CHECK(near(per_m(mini->input_per_token), 0.15));
  // A variant the table does not know stays unpriced instead of borrowing.
  CAF_CHECK(!builtin("gpt-4o-micro"));
  CAF_CHECK(!builtin("gpt-4o-mini-tts"));
  CAF_CHECK(!builtin("gpt-4omni"));
}

CAF_TEST(a version digit is not a date) {
  // claude-opus-4-5 is a different model from claude-opus-4 with another price.
  CAF_CHECK(!builtin("claude-opus-4-5"));
  CAF_CHECK_EQUAL(drop_qualifier("claude-opus-4-5"), "");
  CAF_CHECK_EQUAL(drop_qualifier("claude-opus-4-1-20250805"), "claude-opus-4-1");
  CAF_CHECK_EQUAL(drop_qualifier("gpt-4o-mini"), "");
  CAF_CHECK_EQUAL(drop_qualifier("gpt-4o"), "");
}

CAF_TEST(dated and latest anthropic ids match their family) {
  auto sonnet = builtin("claude-sonnet-4-20250514");
  CAF_REQUIRE(sonnet);
  CAF_CHECK(near(per_m(sonnet->input_per_token), 3.00));
  CAF_CHECK(near(per_m(sonnet->cache_write_per_token), 3.75));
  auto latest = builtin("claude-3-5-sonnet-latest");
  CAF_REQUIRE(latest);
  CAF_CHECK(near(per_m(latest->output_per_token), 15.00));
  auto haiku = builtin("claude-haiku-4-5-20251001");
  CAF_REQUIRE(haiku);
  CAF_CHECK(near(per_m(haiku->input_per_token), 1.00));
  auto opus = builtin("claude-opus-4-1-20250805");
  CAF_REQUIRE(opus);
  CAF_CHECK(near(per_m(opus->output_per_token), 75.00));
}

CAF_TEST(provider prefixes are stripped before matching) {
  auto openai = builtin("openai/gpt-4o");
  CAF_REQUIRE(openai);
  CAF_CHECK(near(per_m(openai->input_per_token), 2.50));
  auto anthropic = builtin("anthropic/claude-sonnet-4-5-20250929");
  CAF_REQUIRE(anthropic);
  CAF_CHECK(near(per_m(anthropic->input_per_token), 3.00));
  auto gemini = builtin("models/gemini-2.5-flash");
  CAF_REQUIRE(gemini);
  CAF_CHECK(near(per_m(gemini->output_per_token), 2.50));
}

CAF_TEST(a gemini preview id with a date matches its family) {
  auto p = builtin("gemini-2.5-flash-preview-05-20");
  CAF_REQUIRE(p);
  CAF_CHECK(near(per_m(p->input_per_token), 0.30));
  auto lite = builtin("gemini-2.5-flash-lite");
  CAF_REQUIRE(lite);
  CAF_CHECK(near(per_m(lite->input_per_token), 0.10));
  // flash-lite is its own family, and tts is not a date.
  CAF_CHECK(!builtin("gemini-2.5-flash-preview-tts"));
}

CAF_TEST(matching ignores case) {
  CAF_CHECK(builtin("GPT-4o"));
  CAF_CHECK(builtin("Claude-Sonnet-4-20250514"));
}

CAF_TEST(an unknown model is unpriced) {
  price_book book;
  CAF_CHECK(!book.lookup(provider_type::openai, "totally-new-model", nullptr));
  CAF_CHECK(!book.lookup(provider_type::anthropic, "claude-99", nullptr));
  CAF_CHECK(!book.lookup(provider_type::openai, "", nullptr));
}

CAF_TEST(local ollama and the mock cost nothing) {
  price_book book;
  auto ollama = book.lookup(provider_type::ollama, "llama3.1:8b", nullptr);
  CAF_REQUIRE(ollama);
  CAF_CHECK_EQUAL(ollama->input_per_token, 0.0);
  CAF_CHECK_EQUAL(ollama->output_per_token, 0.0);
  CAF_CHECK_EQUAL(ollama->source, "local");
  auto mock = book.lookup(provider_type::mock, "anything", nullptr);
  CAF_REQUIRE(mock);
  CAF_CHECK_EQUAL(mock->output_per_token, 0.0);
}

CAF_TEST(ollama cloud models are unpriced unless configured) {
  price_book book;
  CAF_CHECK(!book.lookup(provider_type::ollama, "gpt-oss:120b-cloud", nullptr));
  config::provider cloud;
  cloud.type = provider_type::ollama;
  cloud.base_url = "https://ollama.com";
  CAF_CHECK(!book.lookup(cloud, "gpt-oss:120b", nullptr));
  config::provider local = cloud;
  local.base_url = "http://127.0.0.1:11434";
  CAF_CHECK(book.lookup(local, "gpt-oss:120b", nullptr));
  config::model_alias alias;
  alias.prices = config::price{0.5, 2.0, 0, 0};
  auto priced = book.lookup(cloud, "gpt-oss:120b", &alias);
  CAF_REQUIRE(priced);
  CAF_CHECK(near(per_m(priced->output_per_token), 2.0));
}

CAF_TEST(a configured alias price wins over every table) {
  price_book book{parse_litellm(small_map).value()};
  config::model_alias alias;
  alias.name = "smart";
  alias.model = "gpt-4o";
  alias.prices = config::price{1.0, 4.0, 0.1, 1.25};
  alias.context_window = 64'000;
  auto p = book.lookup(provider_type::openai, "gpt-4o", &alias);
  CAF_REQUIRE(p);
  CAF_CHECK_EQUAL(p->source, "config");
  CAF_CHECK(near(per_m(p->input_per_token), 1.0));
  CAF_CHECK(near(per_m(p->output_per_token), 4.0));
  CAF_CHECK(near(per_m(p->cache_read_per_token), 0.1));
  CAF_CHECK(near(per_m(p->cache_write_per_token), 1.25));
  CAF_CHECK_EQUAL(p->max_input_tokens, std::optional<int64_t>{64'000});
  // An alias without prices leaves the tables in charge.
  config::model_alias plain;
  auto q = book.lookup(provider_type::openai, "gpt-4o", &plain);
  CAF_REQUIRE(q);
  CAF_CHECK_EQUAL(q->source, "file");
}

CAF_TEST(the price map file wins over the built - in table) {
  price_book book{parse_litellm(small_map).value()};
  auto file = book.lookup(provider_type::openai, "gpt-4o-2024-11-20", nullptr);
  CAF_REQUIRE(file);
  CAF_CHECK_EQUAL(file->source, "file");
  CAF_CHECK(near(per_m(file->input_per_token), 9.0));
  auto fallback = book.lookup(provider_type::openai, "gpt-4.1", nullptr);
  CAF_REQUIRE(fallback);
  CAF_CHECK_EQUAL(fallback->source, "built-in");
}

CAF_TEST(a provider prefixed entry is preferred for its provider) {
  auto table = parse_litellm(small_map).value();
  auto gemini = table.find("gemini-9-flash", "gemini");
  CAF_REQUIRE(gemini);
  CAF_CHECK(near(per_m(gemini->input_per_token), 0.1));
  auto other = table.find("gemini-9-flash", "openai");
  CAF_REQUIRE(other);
  CAF_CHECK(near(per_m(other->input_per_token), 0.5));
  auto written = table.find("gemini/gemini-9-flash");
  CAF_REQUIRE(written);
  CAF_CHECK(near(per_m(written->input_per_token), 0.1));
}

CAF_TEST(a litellm file written to disk loads its prices) {
  temp_dir dir;
  auto loaded = load_litellm(dir.write("prices.json", small_map));
  CAF_REQUIRE(loaded);
  // sample_spec and the embedding model without prices are skipped.
  CAF_CHECK_EQUAL(loaded->size(), 5u);
  CAF_CHECK(!loaded->exact("sample_spec"));
  CAF_CHECK(!loaded->exact("acme-embed"));
  auto* large = loaded->exact("acme-large");
  CAF_REQUIRE(large != nullptr);
  CAF_CHECK_EQUAL(large->input_per_token, 2e-06);
  CAF_CHECK_EQUAL(large->output_per_token, 8e-06);
  CAF_CHECK_EQUAL(large->cache_read_per_token, 5e-07);
  CAF_CHECK_EQUAL(large->cache_write_per_token, 2.5e-06);
  CAF_CHECK_EQUAL(large->max_input_tokens, std::optional<int64_t>{100'000});
  CAF_CHECK_EQUAL(large->source, "file");
  // Integers parse as numbers; absent cache prices fall back to the input price.
  auto* small = loaded->exact("acme-small");
  CAF_REQUIRE(small != nullptr);
  CAF_CHECK_EQUAL(small->input_per_token, 1.0);
  CAF_CHECK_EQUAL(small->cache_read_per_token, 1.0);
  CAF_CHECK_EQUAL(small->cache_write_per_token, 1.0);
  CAF_CHECK_EQUAL(small->max_input_tokens, std::optional<int64_t>{4096});
}

CAF_TEST(a missing or malformed price map is an error) {
  temp_dir dir;
  auto missing = load_litellm(dir.path / "absent.json");
  CAF_REQUIRE(!missing);
  CAF_CHECK_EQUAL(missing.error().code, errc::io_error);
  auto broken = load_litellm(dir.write("broken.json", "{\"gpt-4o\": "));
  CAF_REQUIRE(!broken);
  CAF_CHECK_EQUAL(broken.error().code, errc::invalid_input);
  CAF_CHECK(broken.error().message.find("broken.json") != std::string::npos);
  auto array = parse_litellm("[1, 2]");
  CAF_REQUIRE(!array);
  CAF_CHECK_EQUAL(array.error().code, errc::invalid_input);
}

CAF_TEST(a price book loads the configured file) {
  temp_dir dir;
  config::pricing pricing;
  CAF_CHECK(price_book::from_config(pricing));
  pricing.file = dir.write("prices.json", small_map).string();
  auto book = price_book::from_config(pricing);
  CAF_REQUIRE(book);
  CAF_CHECK_EQUAL(book->file().size(), 5u);
  pricing.file = (dir.path / "absent.json").string();
  CAF_CHECK(!price_book::from_config(pricing));
}

CAF_TEST(the shared litellm file loads and agrees with the built - in table) {
  std::string fixtures = ET_FIXTURES_DIR;
  auto file = fs::path(fixtures) / "pricing" / "model_prices_and_context_window.json";
  std::error_code ec;
  if (fixtures.empty() || !fs::exists(file, ec)) {
    CAF_MESSAGE("skipped: no shared fixtures (ET_FIXTURES_DIR)");
    return;
  }
  auto loaded = load_litellm(file);
  CAF_REQUIRE(loaded);
  CAF_CHECK_GREATER(loaded->size(), 1000u);
  CAF_CHECK(!loaded->exact("sample_spec"));
  auto* nano = loaded->exact("gpt-4.1-nano");
  CAF_REQUIRE(nano != nullptr);
  CAF_CHECK_EQUAL(nano->input_per_token, 1e-07);
  CAF_CHECK_EQUAL(nano->output_per_token, 4e-07);
  CAF_CHECK_EQUAL(nano->max_input_tokens, std::optional<int64_t>{1'047'576});
  // Every built-in family the file also lists carries the same token prices
  // (the file was the source of the table).
  const char* ids[] = {"gpt-4o",
                       "gpt-4o-mini",
                       "gpt-4.1",
                       "gpt-4.1-mini",
                       "o1",
                       "o3",
                       "o3-mini",
                       "o4-mini",
                       "gpt-5",
                       "gpt-5-mini",
                       "gpt-5-nano",
                       "claude-opus-4-1",
                       "claude-sonnet-4-5",
                       "claude-haiku-4-5",
                       "claude-sonnet-4-20250514",
                       "claude-3-7-sonnet-20250219",
                       "claude-3-5-haiku-20241022",
                       "gemini-2.5-pro",
                       "gemini-2.5-flash",
                       "gemini-2.5-flash-lite",
                       "gemini-2.0-flash",
                       "gemini-2.0-flash-lite"};
  for (const char* id : ids) {
    auto mine = builtin(id);
    auto theirs = loaded->find(id, "gemini");
    CAF_REQUIRE(mine && theirs);
    CAF_CHECK(near(mine->input_per_token, theirs->input_per_token));
    CAF_CHECK(near(mine->output_per_token, theirs->output_per_token));
    CAF_CHECK(near(mine->cache_read_per_token, theirs->cache_read_per_token));
  }
  price_book book{std::move(*loaded)};
  auto dated = book.lookup(provider_type::gemini, "models/gemini-2.5-flash", nullptr);
  CAF_REQUIRE(dated);
  CAF_CHECK_EQUAL(dated->source, "file");
  CAF_CHECK(near(per_m(dated->output_per_token), 2.5));
  // LiteLLM lists Ollama cloud models at $0; et keeps them unpriced.
  CAF_CHECK(!book.lookup(provider_type::ollama, "gpt-oss:120b-cloud", nullptr));
}
