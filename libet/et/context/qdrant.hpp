#pragma once
/// A blocking client of one Qdrant collection over et's HTTP client: creates it with the
/// embedding model's dimension, upserts a project's chunks as points, deletes a file's
/// points by filter, and searches within a project. The API key goes in the `api-key`
/// header and never into a failure. Calls block: use from a command, never a scheduler
/// thread.

#include <memory>
#include <string>
#include <vector>

#include "et/config/settings.hpp"
#include "et/context/qdrant_codec.hpp"
#include "et/util/result.hpp"
#include "et/util/url.hpp"

namespace et::http {
class client;
class runtime;
struct whole_response;
} // namespace et::http

namespace et::context {

/// A Qdrant collection reached over REST.
class qdrant_store {
public:
  /// A store of `settings` (url, collection, api_key) on `rt`, which must outlive it.
  /// Fails with invalid_config when the url is not http(s).
  static result<std::unique_ptr<qdrant_store>> open(http::runtime& rt,
                                                    const config::qdrant_settings& settings,
                                                    const config::tls_client& tls = {});
  ~qdrant_store();
  qdrant_store(const qdrant_store&) = delete;
  qdrant_store& operator=(const qdrant_store&) = delete;

  /// Creates the collection (vectors of `dimension`, Cosine distance) unless it exists.
  /// An existing collection of another size fails with invalid_input naming the
  /// collection and both sizes.
  result<void> ensure_collection(size_t dimension);

  /// Upserts `points` and waits until they are applied (`?wait=true`).
  result<void> upsert(const std::vector<qdrant::point>& points);

  /// Deletes the points of `path` under `root` ("" path: every point of `root`), waiting.
  result<void> remove(const std::string& root, const std::string& path);

  /// The `limit` points of `root` nearest to `vector`, best first. Hits of another root (a
  /// server ignoring the filter) are dropped.
  result<std::vector<qdrant::scored_point>> search(const std::string& root,
                                                   const std::vector<float>& vector, size_t limit);

  /// "URL/collections/NAME", for messages (never the key).
  std::string where() const;

private:
  qdrant_store(http::runtime& rt, et::url base, config::qdrant_settings settings,
               const config::tls_client& tls);
  result<http::whole_response> call(const char* method, const std::string& target, std::string body,
                                    const char* what);
  result<void> write(const char* method, const std::string& target, std::string body,
                     const char* what);

  et::url base_;
  config::qdrant_settings settings_;
  std::unique_ptr<http::client> client_;
};

} // namespace et::context
