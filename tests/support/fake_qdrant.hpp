#pragma once
/// A fake Qdrant on 127.0.0.1, written from Qdrant's documented REST API (not from et's
/// codec): collections with one unnamed vector (size and distance), points upserted with
/// payloads, deletion by a `must` filter of `match.value` conditions, and search by cosine
/// similarity with a filter and payloads. An API key, when set, is required in the
/// `api-key` header (401 otherwise). A test may take over any request with `override`
/// (hostile answers). No server of the real thing is installable here: this is what et's
/// Qdrant client is tested against.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loopback_server.hpp"

namespace et::test {

/// A stored point.
struct fake_point {
  std::string id;             ///< as upserted (string UUID or number, as text)
  std::vector<double> vector; ///< its vector
  std::string payload;        ///< its payload, serialized JSON
  std::string root;           ///< payload "root" ("" when absent)
  std::string path;           ///< payload "path" ("" when absent)
};

/// The fake server.
class fake_qdrant {
public:
  /// Answers a request instead of the fake when it returns a reply.
  using override_fn = std::function<std::optional<reply>(const seen_request&)>;

  /// Starts listening; `api_key` "" accepts every request.
  explicit fake_qdrant(std::string api_key = "");
  ~fake_qdrant();
  fake_qdrant(const fake_qdrant&) = delete;
  fake_qdrant& operator=(const fake_qdrant&) = delete;

  /// "http://127.0.0.1:<port>".
  std::string url() const;
  /// Every request so far.
  std::vector<seen_request> requests() const;
  /// Creates `name` with vectors of `size` (as PUT /collections/NAME would).
  void create(const std::string& name, size_t size);
  /// The vector size of `name`, nullopt when it does not exist.
  std::optional<size_t> collection_size(const std::string& name) const;
  /// The points of `name`, by id.
  std::map<std::string, fake_point> points(const std::string& name) const;
  /// Takes over requests (null: the fake answers them all again).
  void set_override(override_fn f);

private:
  struct impl;
  std::shared_ptr<impl> impl_;
  std::unique_ptr<loopback_server> server_;
};

} // namespace et::test
