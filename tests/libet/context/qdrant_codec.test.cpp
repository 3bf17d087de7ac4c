#define CAF_SUITE libet.context.qdrant_codec
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <string>

#include "et/context/qdrant_codec.hpp"

// Qdrant's REST bodies as et writes them, and the checked decoding of every answer.

using namespace et;
using namespace et::context::qdrant;
namespace json = boost::json;

namespace {

const std::string secret = "qk-SECRET-1234567890";

std::string search_answer(const std::string& hits) {
  return R"({"result":[)" + hits + R"(],"status":"ok","time":0.001})";
}

std::string hit(const std::string& score, const std::string& path = "src/a.cpp",
                const std::string& lines = R"("start_line":1,"end_line":9)") {
  return R"({"id":"x","version":1,"score":)" + score + R"(,"payload":{"root":"/p","path":")" + path
         + R"(",)" + lines + R"(,"text":"t"}})";
}

bool invalid(const result<std::vector<scored_point>>& r) {
  return !r && r.error().code == errc::invalid_input;
}

} // namespace

CAF_TEST(point ids are deterministic uuids of root path and line) {
  auto a = point_id("/p", "src/a.cpp", 1);
  CAF_CHECK_EQUAL(a, point_id("/p", "src/a.cpp", 1));
  CAF_CHECK_NOT_EQUAL(a, point_id("/p", "src/a.cpp", 2));
  CAF_CHECK_NOT_EQUAL(a, point_id("/q", "src/a.cpp", 1));
  CAF_CHECK_NOT_EQUAL(a, point_id("/p", "src/b.cpp", 1));
  CAF_REQUIRE_EQUAL(a.size(), 36u);
  CAF_CHECK_EQUAL(a[8], '-');
  CAF_CHECK_EQUAL(a[13], '-');
  CAF_CHECK_EQUAL(a[14], '5');
  CAF_CHECK(std::string{"89ab"}.find(a[19]) != std::string::npos);
}

CAF_TEST(request bodies follow the documented shapes) {
  auto create = json::parse(create_collection_body(768)).as_object();
  CAF_CHECK_EQUAL(create.at("vectors").at("size").as_int64(), 768);
  CAF_CHECK_EQUAL(create.at("vectors").at("distance").as_string(), "Cosine");

  point p{point_id("/p", "a.md", 3), {0.5f, -1.0f}, "/p", "a.md", 3, 7, "text"};
  auto up = json::parse(upsert_body({p})).as_object();
  const auto& pt = up.at("points").as_array().at(0).as_object();
  CAF_CHECK_EQUAL(pt.at("id").as_string(), p.id);
  CAF_CHECK_EQUAL(pt.at("vector").as_array().size(), 2u);
  CAF_CHECK_EQUAL(pt.at("vector").as_array()[1].as_double(), -1.0);
  const auto& payload = pt.at("payload").as_object();
  CAF_CHECK_EQUAL(payload.at("path").as_string(), "a.md");
  CAF_CHECK_EQUAL(payload.at("root").as_string(), "/p");
  CAF_CHECK_EQUAL(payload.at("start_line").to_number<int64_t>(), 3);
  CAF_CHECK_EQUAL(payload.at("end_line").to_number<int64_t>(), 7);
  CAF_CHECK_EQUAL(payload.at("text").as_string(), "text");

  auto del = json::parse(delete_body("/p", "a.md")).as_object();
  const auto& must = del.at("filter").at("must").as_array();
  CAF_REQUIRE_EQUAL(must.size(), 2u);
  CAF_CHECK_EQUAL(must[0].at("key").as_string(), "root");
  CAF_CHECK_EQUAL(must[0].at("match").at("value").as_string(), "/p");
  CAF_CHECK_EQUAL(must[1].at("key").as_string(), "path");
  CAF_CHECK_EQUAL(must[1].at("match").at("value").as_string(), "a.md");
  auto all = json::parse(delete_body("/p", "")).as_object();
  CAF_CHECK_EQUAL(all.at("filter").at("must").as_array().size(), 1u);

  auto search = json::parse(search_body("/p", {1.0f, 0.0f}, 50)).as_object();
  CAF_CHECK_EQUAL(search.at("limit").to_number<int64_t>(), 50);
  CAF_CHECK(search.at("with_payload").as_bool());
  CAF_CHECK_EQUAL(search.at("vector").as_array().size(), 2u);
  CAF_CHECK_EQUAL(search.at("filter").at("must").as_array()[0].at("match").at("value").as_string(),
                  "/p");
}

CAF_TEST(collection info gives the vector size) {
  auto size = decode_collection(
      R"({"result":{"status":"green","config":{"params":{"vectors":{"size":384,"distance":"Cosine"}}}},"status":"ok","time":0})");
  CAF_REQUIRE(size);
  CAF_CHECK_EQUAL(*size, 384u);
  auto named = decode_collection(
      R"({"result":{"config":{"params":{"vectors":{"dense":{"size":4,"distance":"Dot"}}}}}})");
  CAF_REQUIRE(!named);
  CAF_CHECK_EQUAL(named.error().code, errc::unsupported);
  for (const char* body :
       {"", "[]", "nonsense", R"({"result":null})", R"({"result":{"config":{}}})",
        R"({"result":{"config":{"params":{"vectors":{"size":-1}}}}})",
        R"({"result":{"config":{"params":{"vectors":{"size":1.5}}}}})",
        R"({"result":{"config":{"params":{"vectors":{"size":0}}}}})",
        R"({"result":{"config":{"params":{"vectors":{"size":99999999}}}}})",
        R"({"result":{"config":{"params":{"vectors":{"size":"4"}}}}})"}) {
    auto r = decode_collection(body);
    CAF_CHECK(!r);
    if (!r)
      CAF_CHECK_EQUAL(r.error().code, errc::invalid_input);
  }
}

CAF_TEST(search answers are decoded in order) {
  auto r = decode_search(search_answer(hit("0.9") + "," + hit("0.5", "b.md")), 8);
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->size(), 2u);
  CAF_CHECK_EQUAL((*r)[0].path, "src/a.cpp");
  CAF_CHECK_EQUAL((*r)[0].root, "/p");
  CAF_CHECK_EQUAL((*r)[0].start_line, 1u);
  CAF_CHECK_EQUAL((*r)[0].end_line, 9u);
  CAF_CHECK_EQUAL((*r)[0].score, 0.9);
  CAF_CHECK_EQUAL((*r)[1].path, "b.md");
  auto none = decode_search(search_answer(""), 8);
  CAF_REQUIRE(none);
  CAF_CHECK(none->empty());
}

CAF_TEST(hostile search answers are refused) {
  CAF_CHECK(invalid(decode_search("", 8)));
  CAF_CHECK(invalid(decode_search(R"({"result":{}})", 8)));
  CAF_CHECK(invalid(decode_search(search_answer("1"), 8)));
  // More hits than asked for.
  CAF_CHECK(invalid(decode_search(search_answer(hit("0.9") + "," + hit("0.8")), 1)));
  // Scores: NaN is not JSON, an overflowing literal is infinite, a string is no number.
  CAF_CHECK(invalid(decode_search(search_answer(hit("NaN")), 8)));
  CAF_CHECK(invalid(decode_search(search_answer(hit("1e999")), 8)));
  CAF_CHECK(invalid(decode_search(search_answer(hit("-1e999")), 8)));
  CAF_CHECK(invalid(decode_search(search_answer(hit("\"0.9\"")), 8)));
  CAF_CHECK(invalid(decode_search(search_answer(hit("null")), 8)));
  // Payloads: missing, unbounded path, bad line ranges, a text that is no string.
  CAF_CHECK(invalid(decode_search(search_answer(R"({"id":1,"score":0.5})"), 8)));
  CAF_CHECK(invalid(decode_search(search_answer(hit("0.5", std::string(5000, 'a'))), 8)));
  CAF_CHECK(invalid(decode_search(search_answer(hit("0.5", "")), 8)));
  CAF_CHECK(
      invalid(decode_search(search_answer(hit("0.5", "a", R"("start_line":5,"end_line":2)")), 8)));
  CAF_CHECK(
      invalid(decode_search(search_answer(hit("0.5", "a", R"("start_line":0,"end_line":2)")), 8)));
  CAF_CHECK(
      invalid(decode_search(search_answer(hit("0.5", "a", R"("start_line":-1,"end_line":2)")), 8)));
  CAF_CHECK(invalid(
      decode_search(search_answer(hit("0.5", "a", R"("start_line":1.5,"end_line":2)")), 8)));
  CAF_CHECK(invalid(decode_search(
      search_answer(
          R"({"id":1,"score":0.5,"payload":{"root":"/p","path":"a","start_line":1,"end_line":2,)"
          R"("text":[1]}})"),
      8)));
}

CAF_TEST(write acknowledgements are checked) {
  CAF_CHECK(decode_ack(R"({"result":{"operation_id":3,"status":"completed"},"status":"ok"})"));
  CAF_CHECK(decode_ack(R"({"result":true,"status":"ok","time":0.1})"));
  CAF_CHECK(!decode_ack(R"({"result":true})"));
  CAF_CHECK(!decode_ack(R"({"status":"ok"})"));
  CAF_CHECK(!decode_ack(R"({"result":true,"status":{"error":"x"}})"));
  CAF_CHECK(!decode_ack("<html>"));
}

CAF_TEST(http failures are typed and never carry the key) {
  auto body = R"({"status":{"error":"Invalid api-key )" + secret + R"( \u0007\n and more"}})";
  auto f = http_failure("upsert", 401, body, secret);
  CAF_CHECK_EQUAL(f.code, errc::auth);
  CAF_CHECK_EQUAL(f.http_status, 401);
  CAF_CHECK(f.message.find(secret) == std::string::npos);
  CAF_CHECK(f.message.find("qk-SECRET") == std::string::npos);
  CAF_CHECK(f.message.rfind("qdrant upsert: HTTP 401 (Invalid api-key **** ??", 0) == 0);
  CAF_CHECK(f.message.find('\n') == std::string::npos);
  CAF_CHECK_EQUAL(http_failure("x", 404, "", secret).code, errc::not_found);
  CAF_CHECK_EQUAL(http_failure("x", 429, "", secret).code, errc::rate_limited);
  CAF_CHECK_EQUAL(http_failure("x", 503, "", secret).code, errc::server_error);
  CAF_CHECK_EQUAL(http_failure("x", 400, "", secret).code, errc::bad_request);
  CAF_CHECK_EQUAL(http_failure("x", 302, "", secret).code, errc::invalid_input);
  // A long message is cut to a short excerpt; a body that is not Qdrant's shape is not quoted.
  auto long_body = R"({"status":{"error":")" + std::string(10000, 'e') + R"("}})";
  CAF_CHECK_LESS(http_failure("x", 500, long_body, secret).message.size(), max_excerpt + 40);
  CAF_CHECK_EQUAL(http_failure("x", 500, "<html>" + secret + "</html>", secret).message,
                  "qdrant x: HTTP 500");
  // The key split across the cut is replaced before cutting: no prefix of it remains.
  auto edge = std::string(max_excerpt - 5, 'e') + secret;
  CAF_CHECK(excerpt(edge, secret).find("qk-SE") == std::string::npos);
}
