#define CAF_SUITE libet.config.context
#include "loader_support.hpp"

// The `context` section: `fetch` limits, the address switch and the reader endpoint.

using namespace loader_test;
using namespace std::chrono_literals;

CAF_TEST(fetch defaults are strict and bounded) {
  auto s = valid(base);
  const auto& f = s.context.fetch;
  CAF_CHECK(!f.allow_private);
  CAF_CHECK_EQUAL(f.max_bytes, 2 << 20);
  CAF_CHECK(f.timeout == 20s);
  CAF_CHECK_EQUAL(f.max_redirects, 5);
  CAF_CHECK(f.cache_ttl == 24h);
  CAF_CHECK(f.reader.base_url.empty());
}

CAF_TEST(fetch settings are read) {
  auto s = valid(base
                 + "context: {fetch: {allow_private: true, max_bytes: 4096, timeout: 3s, "
                   "max_redirects: 0, cache_ttl: 0, reader: {base_url: \"https://r.jina.ai/\", "
                   "api_key_env: OPENAI_API_KEY}}}\n");
  const auto& f = s.context.fetch;
  CAF_CHECK(f.allow_private);
  CAF_CHECK_EQUAL(f.max_bytes, 4096);
  CAF_CHECK(f.timeout == 3s);
  CAF_CHECK_EQUAL(f.max_redirects, 0);
  CAF_CHECK(f.cache_ttl == 0ms);
  CAF_CHECK_EQUAL(f.reader.base_url, "https://r.jina.ai/");
  CAF_CHECK_EQUAL(f.reader.api_key, "dummy-openai");
  // The reader's key is scrubbed like every other secret.
  auto secrets = s.secrets();
  CAF_CHECK(std::find(secrets.begin(), secrets.end(), "dummy-openai") != secrets.end());
}

CAF_TEST(bad fetch settings are errors naming the key) {
  CAF_CHECK_NOT_EQUAL(
      error_at(base + "context: {fetch: {alow_private: true}}\n", "context.fetch.alow_private")
          .find("did you mean"),
      std::string::npos);
  CAF_CHECK_NOT_EQUAL(
      error_at(base + "context: {fetch: {max_redirects: 50}}\n", "context.fetch.max_redirects"),
      "");
  CAF_CHECK_NOT_EQUAL(
      error_at(base + "context: {fetch: {max_bytes: 10}}\n", "context.fetch.max_bytes"), "");
  CAF_CHECK_NOT_EQUAL(error_at(base + "context: {fetch: {timeout: 0}}\n", "context.fetch.timeout"),
                      "");
  CAF_CHECK_NOT_EQUAL(
      error_at(base + "context: {fetch: {allow_private: maybe}}\n", "context.fetch.allow_private"),
      "");
  CAF_CHECK_EQUAL(error_at(base + "context: {fetch: {reader: {base_url: \"ftp://x/\"}}}\n",
                           "context.fetch.reader.base_url"),
                  "expected an http(s) URL, e.g. https://r.jina.ai/");
  CAF_CHECK_EQUAL(error_at(base
                               + "context: {fetch: {reader: {base_url: \"https://r.jina.ai/\", "
                                 "api_key_env: NOT_SET_ANYWHERE}}}\n",
                           "context.fetch.reader.api_key_env"),
                  "NOT_SET_ANYWHERE is not set");
  CAF_CHECK_EQUAL(error_at(base + "context: {fetch: {reader: {api_key_env: OPENAI_API_KEY}}}\n",
                           "context.fetch.reader"),
                  "api_key_env needs a base_url");
  CAF_CHECK_NOT_EQUAL(error_at(base + "context: {fetc: {}}\n", "context.fetc"), "");
  // The key's value never appears in a diagnostic.
  CAF_CHECK_EQUAL(errors(base + "context: {fetch: {reader: {api_key_env: OPENAI_API_KEY}}}\n")
                      .find("dummy-openai"),
                  std::string::npos);
}

CAF_TEST(qdrant is off by default and read with its defaults) {
  auto off = valid(base);
  CAF_CHECK(!off.context.qdrant.enabled());
  auto s = valid(base + "context: {embed: fast, qdrant: {url: \"http://127.0.0.1:6333\"}}\n");
  CAF_CHECK(s.context.qdrant.enabled());
  CAF_CHECK_EQUAL(s.context.qdrant.url, "http://127.0.0.1:6333");
  CAF_CHECK_EQUAL(s.context.qdrant.collection, "et");
  CAF_CHECK_EQUAL(s.context.qdrant.api_key, "");
  auto keyed = valid(base
                     + "context: {embed: fast, qdrant: {url: \"https://q.example:6333\", "
                       "collection: team-docs_1.0, api_key: \"${OPENAI_API_KEY}\"}}\n");
  CAF_CHECK_EQUAL(keyed.context.qdrant.collection, "team-docs_1.0");
  CAF_CHECK_EQUAL(keyed.context.qdrant.api_key, "dummy-openai");
  // The key is scrubbed like every other secret.
  auto secrets = keyed.secrets();
  CAF_CHECK(std::find(secrets.begin(), secrets.end(), "dummy-openai") != secrets.end());
}

CAF_TEST(bad qdrant settings are errors naming the key) {
  CAF_CHECK_EQUAL(
      error_at(base + "context: {qdrant: {url: \"http://127.0.0.1:6333\"}}\n", "context.qdrant"),
      "qdrant holds embeddings: it needs context.embed (an embedding model alias)");
  CAF_CHECK_EQUAL(error_at(base + "context: {embed: fast, qdrant: {}}\n", "context.qdrant"),
                  "qdrant needs a url, e.g. http://127.0.0.1:6333");
  CAF_CHECK_EQUAL(error_at(base + "context: {embed: fast, qdrant: {url: \"grpc://h:6334\"}}\n",
                           "context.qdrant.url"),
                  "expected an http(s) URL, e.g. http://127.0.0.1:6333");
  CAF_CHECK_NOT_EQUAL(error_at(base
                                   + "context: {embed: fast, qdrant: {url: \"http://h\", "
                                     "collection: \"../x\"}}\n",
                               "context.qdrant.collection"),
                      "");
  CAF_CHECK_NOT_EQUAL(
      error_at(base + "context: {embed: fast, qdrant: {url: \"http://h\", apikey: x}}\n",
               "context.qdrant.apikey"),
      "");
  CAF_CHECK_EQUAL(error_at(base
                               + "context: {embed: fast, qdrant: {url: \"http://h\", api_key: "
                                 "\"${NOT_SET_ANYWHERE}\"}}\n",
                           "context.qdrant.api_key"),
                  "environment variable NOT_SET_ANYWHERE is not set");
  CAF_CHECK_NOT_EQUAL(error_at(base + "context: {embed: fast, qdrant: [1]}\n", "context.qdrant"),
                      "");
}

CAF_TEST(index limits default to 1 MiB files and 60 line chunks and are read) {
  auto d = valid(base).context.index;
  CAF_CHECK_EQUAL(d.max_file_bytes, 1 << 20);
  CAF_CHECK_EQUAL(d.chunk_lines, 60);
  CAF_CHECK_EQUAL(d.chunk_bytes, 4096);
  auto s = valid(base
                 + "context: {index: {max_file_bytes: 4194304, chunk_lines: 30, chunk_bytes: "
                   "2048}}\n");
  CAF_CHECK_EQUAL(s.context.index.max_file_bytes, 4 << 20);
  CAF_CHECK_EQUAL(s.context.index.chunk_lines, 30);
  CAF_CHECK_EQUAL(s.context.index.chunk_bytes, 2048);
}

CAF_TEST(bad index limits are errors naming the key) {
  CAF_CHECK_NOT_EQUAL(
      error_at(base + "context: {index: {max_files: 3}}\n", "context.index.max_files"), "");
  CAF_CHECK_NOT_EQUAL(
      error_at(base + "context: {index: {max_file_bytes: 100}}\n", "context.index.max_file_bytes"),
      "");
  CAF_CHECK_NOT_EQUAL(
      error_at(base + "context: {index: {chunk_lines: 0}}\n", "context.index.chunk_lines"), "");
  CAF_CHECK_NOT_EQUAL(
      error_at(base + "context: {index: {chunk_bytes: 1000000}}\n", "context.index.chunk_bytes"),
      "");
  CAF_CHECK_NOT_EQUAL(error_at(base + "context: {index: 5}\n", "context.index"), "");
}
