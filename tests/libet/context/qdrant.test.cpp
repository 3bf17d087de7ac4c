#define CAF_SUITE libet.context.qdrant
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <string>

#include "et/context/qdrant.hpp"
#include "et/http/runtime.hpp"

#include "fake_qdrant.hpp"

// The Qdrant client against the fake Qdrant on loopback: collection creation and the
// dimension check, upserts with wait, deletion by filter, search, and hostile answers.

using namespace et;
using namespace et::context;
using namespace et::test;
namespace json = boost::json;

namespace {

const std::string key = "qk-SECRET-abcdef0123456789";

std::string header(const seen_request& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name)
      return v;
  return {};
}

qdrant::point chunk(const std::string& root, const std::string& path, size_t line,
                    std::vector<float> v) {
  return {qdrant::point_id(root, path, line), std::move(v), root, path, line, line + 4, "text"};
}

struct fixture {
  fake_qdrant server{key};
  http::runtime rt{1};
  std::unique_ptr<qdrant_store> store;

  fixture() { store = open("docs", key); }

  std::unique_ptr<qdrant_store> open(const std::string& collection, const std::string& api_key) {
    config::qdrant_settings s;
    s.url = server.url();
    s.collection = collection;
    s.api_key = api_key;
    auto r = qdrant_store::open(rt, s);
    CAF_REQUIRE(r);
    return std::move(*r);
  }

  // Every request is answered with `r` from now on.
  void answer(reply r) {
    server.set_override([r](const seen_request&) { return std::optional<reply>{r}; });
  }

  // A failure's message must never hold the key, whole or in part.
  void check_secret_free(const failure& f) {
    CAF_CHECK(f.message.find(key) == std::string::npos);
    CAF_CHECK(f.message.find("qk-SECRET") == std::string::npos);
    CAF_CHECK(f.message.find('\n') == std::string::npos);
  }
};

reply json_reply(int status, const std::string& body) {
  return reply{}.send(http_response(status, body, {{"Content-Type", "application/json"}}));
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(qdrant_tests, fixture)

CAF_TEST(a missing collection is created with the dimension and cosine) {
  CAF_REQUIRE(store->ensure_collection(3));
  CAF_CHECK_EQUAL(server.collection_size("docs").value_or(0), 3u);
  auto seen = server.requests();
  CAF_REQUIRE_EQUAL(seen.size(), 2u);
  CAF_CHECK_EQUAL(seen[0].method, "GET");
  CAF_CHECK_EQUAL(seen[0].target, "/collections/docs");
  CAF_CHECK_EQUAL(seen[1].method, "PUT");
  CAF_CHECK_EQUAL(seen[1].target, "/collections/docs");
  CAF_CHECK_EQUAL(header(seen[1], "api-key"), key);
  // An existing collection of the same size is left alone: one GET, no PUT.
  CAF_REQUIRE(store->ensure_collection(3));
  CAF_CHECK_EQUAL(server.requests().size(), 3u);
}

CAF_TEST(a dimension mismatch names the collection and both sizes) {
  server.create("docs", 768);
  auto r = store->ensure_collection(384);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, errc::invalid_input);
  CAF_CHECK_NOT_EQUAL(r.error().message.find("\"docs\""), std::string::npos);
  CAF_CHECK_NOT_EQUAL(r.error().message.find("768"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(r.error().message.find("384"), std::string::npos);
  CAF_CHECK_EQUAL(server.collection_size("docs").value_or(0), 768u);
}

CAF_TEST(points are upserted deleted by file and searched within a root) {
  CAF_REQUIRE(store->ensure_collection(2));
  CAF_REQUIRE(store->upsert({chunk("/p", "a.md", 1, {1, 0}), chunk("/p", "a.md", 6, {0.9f, 0.1f}),
                             chunk("/p", "b.md", 1, {0, 1}), chunk("/q", "a.md", 1, {1, 0})}));
  auto seen = server.requests();
  CAF_CHECK_EQUAL(seen.back().target, "/collections/docs/points?wait=true");
  CAF_CHECK_EQUAL(server.points("docs").size(), 4u);
  // Upserting the same chunk again replaces its point.
  CAF_REQUIRE(store->upsert({chunk("/p", "b.md", 1, {0, 1})}));
  CAF_CHECK_EQUAL(server.points("docs").size(), 4u);

  auto hits = store->search("/p", {1, 0}, 10);
  CAF_REQUIRE(hits);
  CAF_REQUIRE_EQUAL(hits->size(), 3u); // not /q's point
  CAF_CHECK_EQUAL((*hits)[0].path, "a.md");
  CAF_CHECK_EQUAL((*hits)[0].start_line, 1u);
  CAF_CHECK_EQUAL((*hits)[0].end_line, 5u);
  CAF_CHECK_EQUAL((*hits)[2].path, "b.md");
  // Locals: a reference into a temporary inside CAF_CHECK_EQUAL would dangle.
  auto searched = server.requests().back();
  auto body = json::parse(searched.body).as_object();
  CAF_CHECK_EQUAL(searched.target, "/collections/docs/points/search");
  CAF_CHECK(body.at("with_payload").as_bool());

  CAF_REQUIRE(store->remove("/p", "a.md"));
  auto deleted = server.requests().back();
  CAF_CHECK_EQUAL(deleted.target, "/collections/docs/points/delete?wait=true");
  auto left = server.points("docs");
  CAF_REQUIRE_EQUAL(left.size(), 2u);
  for (const auto& [id, p] : left)
    CAF_CHECK(p.path == "b.md" || p.root == "/q");
  CAF_REQUIRE(store->remove("/p", ""));
  left = server.points("docs");
  CAF_REQUIRE_EQUAL(left.size(), 1u);
  CAF_CHECK_EQUAL(left.begin()->second.root, "/q");
}

CAF_TEST(a server ignoring the root filter cannot bring in another project) {
  answer(json_reply(
      200, R"({"result":[{"id":1,"score":0.9,"payload":{"root":"/other","path":"x","start_line":1,)"
           R"("end_line":2}},{"id":2,"score":0.5,"payload":{"root":"/p","path":"y","start_line":1,)"
           R"("end_line":2}}],"status":"ok"})"));
  auto hits = store->search("/p", {1, 0}, 10);
  CAF_REQUIRE(hits);
  CAF_REQUIRE_EQUAL(hits->size(), 1u);
  CAF_CHECK_EQUAL((*hits)[0].path, "y");
}

CAF_TEST(a wrong key is an auth failure without the key) {
  auto wrong = open("docs", "qk-SECRET-wrong");
  auto r = wrong->ensure_collection(2);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, errc::auth);
  CAF_CHECK(r.error().message.find("qk-SECRET-wrong") == std::string::npos);
}

CAF_TEST(hostile answers are typed failures) {
  // Wrong shapes.
  answer(json_reply(200, R"({"result":{"hits":[]},"status":"ok"})"));
  auto shape = store->search("/p", {1, 0}, 10);
  CAF_REQUIRE(!shape);
  CAF_CHECK_EQUAL(shape.error().code, errc::invalid_input);
  answer(json_reply(200, R"({"result":{"config":"none"}})"));
  auto info = store->ensure_collection(2);
  CAF_REQUIRE(!info);
  CAF_CHECK_EQUAL(info.error().code, errc::invalid_input);
  answer(json_reply(200, "not json at all " + key));
  auto ack = store->upsert({chunk("/p", "a.md", 1, {1, 0})});
  CAF_REQUIRE(!ack);
  CAF_CHECK_EQUAL(ack.error().code, errc::invalid_input);
  check_secret_free(ack.error());
  // Non-finite scores.
  answer(json_reply(200, R"({"result":[{"id":1,"score":NaN,"payload":{}}],"status":"ok"})"));
  CAF_CHECK(!store->search("/p", {1, 0}, 10));
  answer(json_reply(
      200, R"({"result":[{"id":1,"score":1e400,"payload":{"root":"/p","path":"a","start_line":1,)"
           R"("end_line":1}}],"status":"ok"})"));
  auto inf = store->search("/p", {1, 0}, 10);
  CAF_REQUIRE(!inf);
  CAF_CHECK_NOT_EQUAL(inf.error().message.find("non-finite"), std::string::npos);
  // A body over the bound fails in the client, whatever it holds.
  answer(json_reply(200, std::string(qdrant::max_body_bytes + 1, ' ')));
  auto huge = store->search("/p", {1, 0}, 10);
  CAF_REQUIRE(!huge);
  CAF_CHECK_EQUAL(huge.error().code, errc::invalid_input);
  // An error echoing the key, with control bytes and at length.
  answer(json_reply(500, R"({"status":{"error":"boom )" + key + R"(\r\nX-Injected: 1 )"
                             + std::string(5000, 'z') + R"("},"time":0})"));
  auto echoed = store->remove("/p", "a.md");
  CAF_REQUIRE(!echoed);
  CAF_CHECK_EQUAL(echoed.error().code, errc::server_error);
  check_secret_free(echoed.error());
  CAF_CHECK_LESS(echoed.error().message.size(), 200u);
  CAF_CHECK_NOT_EQUAL(echoed.error().message.find("qdrant delete: HTTP 500 (boom ****"),
                      std::string::npos);
}

CAF_TEST(an unreachable server is a network failure without the key) {
  config::qdrant_settings s;
  s.url = "http://127.0.0.1:" + std::to_string(unused_port());
  s.collection = "docs";
  s.api_key = key;
  auto down = qdrant_store::open(rt, s);
  CAF_REQUIRE(down);
  auto r = (*down)->ensure_collection(2);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, errc::network);
  check_secret_free(r.error());
  s.url = "ftp://127.0.0.1/";
  auto bad = qdrant_store::open(rt, s);
  CAF_REQUIRE(!bad);
  CAF_CHECK_EQUAL(bad.error().code, errc::invalid_config);
}

CAF_TEST_FIXTURE_SCOPE_END()
