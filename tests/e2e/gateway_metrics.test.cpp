#define CAF_SUITE e2e.gateway_metrics
#include "caf/test/unit_test.hpp"

#include "gateway_fixture.hpp"

// GET /metrics of `et serve --http` as Prometheus scrapes it: after an answer,
// an unknown model and a stream, the counters and histogram counts say so in
// the text exposition format, with no client text in a label; with keys it
// needs one like every path but /health.

using namespace et::e2e;
using namespace et::e2e::gw;

namespace {

// The sample value of the line that starts with `series` (name and labels), -1 when absent.
double sample(const std::string& text, const std::string& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos)
    return -1;
  auto from = at + 1 + series.size() + 1;
  return std::stod(text.substr(from, text.find('\n', from) - from));
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_metrics_tests, fixture)

CAF_TEST(metrics count answers errors streams tokens and latencies) {
  serve();
  CAF_CHECK_EQUAL(openai(oai_body("gpt", false)).status, 200);
  auto unknown = openai(oai_body("no-such-model-4711", false));
  CAF_CHECK_EQUAL(unknown.status, 404);
  auto streamed = openai(oai_body("gpt", true));
  CAF_CHECK_EQUAL(streamed.status, 200);
  CAF_CHECK_EQUAL(openai_text(events_of(streamed.body)), "hello gateway");
  CAF_CHECK_EQUAL(anthropic(ant_body("claude", false)).status, 200);
  // The gateway counts a request out just after it queued the last bytes, so a scrape sent
  // the moment the answer arrived may still see it (seen on a loaded machine): scrape again,
  // a bounded number of times, until the last answer is counted out.
  auto m = call("GET", "/metrics");
  for (int i = 0; i < 100 && sample(m.body, "et_gateway_requests_in_flight") != 0; ++i)
    m = call("GET", "/metrics");
  CAF_REQUIRE_EQUAL(m.status, 200);
  CAF_CHECK_EQUAL(m.header("content-type"), "text/plain; version=0.0.4");
  const auto& t = m.body;
  CAF_CHECK_EQUAL(t.rfind("# HELP et_gateway_requests_total ", 0), 0u);
  CAF_CHECK_EQUAL(
      sample(t, R"(et_gateway_requests_total{protocol="openai",model="gpt",status_class="2xx"})"),
      2);
  CAF_CHECK_EQUAL(
      sample(t, R"(et_gateway_requests_total{protocol="openai",model="other",status_class="4xx"})"),
      1);
  CAF_CHECK_EQUAL(sample(t, R"(et_gateway_requests_total{protocol="anthropic",model="claude",)"
                            R"(status_class="2xx"})"),
                  1);
  CAF_CHECK_EQUAL(sample(t, R"(et_gateway_errors_total{protocol="openai",class="not_found"})"), 1);
  CAF_CHECK_GREATER(sample(t, R"(et_gateway_tokens_total{model="gpt",kind="prompt"})"), 0);
  CAF_CHECK_GREATER(sample(t, R"(et_gateway_tokens_total{model="gpt",kind="completion"})"), 0);
  CAF_CHECK_EQUAL(sample(t, "et_gateway_requests_in_flight"), 0);
  CAF_CHECK_GREATER_OR_EQUAL(sample(t, "et_gateway_open_connections"), 1);
  // The answer and the 404 (refused before the router) were not streamed; one was.
  CAF_CHECK_EQUAL(
      sample(t, R"(et_gateway_request_duration_seconds_count{protocol="openai",stream="false"})"),
      2);
  CAF_CHECK_EQUAL(sample(t, R"(et_gateway_request_duration_seconds_bucket{protocol="openai",)"
                            R"(stream="false",le="+Inf"})"),
                  2);
  CAF_CHECK_EQUAL(
      sample(t, R"(et_gateway_request_duration_seconds_count{protocol="openai",stream="true"})"),
      1);
  CAF_CHECK_EQUAL(
      sample(t, R"(et_gateway_router_duration_seconds_count{protocol="openai",stream="false"})"),
      1);
  CAF_CHECK_EQUAL(
      sample(t, R"(et_gateway_router_duration_seconds_count{protocol="openai",stream="true"})"), 1);
  CAF_CHECK_EQUAL(
      sample(t, R"(et_gateway_overhead_seconds_count{protocol="openai",stream="true"})"), 1);
  CAF_CHECK_EQUAL(sample(t, R"(et_gateway_time_to_first_token_seconds_count{protocol="openai"})"),
                  1);
  // No client text in any label: neither the unknown model nor the prompt.
  CAF_CHECK(!has(t, "no-such-model"));
  CAF_CHECK(!has(t, "hello gateway"));
  CAF_CHECK_EQUAL(call("POST", "/metrics").status, 405);
}

CAF_TEST(metrics count fallbacks by reason and a stream cut after its first byte) {
  serve();
  CAF_CHECK_EQUAL(openai(oai_body("coder", false)).status, 200);  // slow429 429s: gpt answers
  CAF_CHECK_EQUAL(openai(oai_body("cutrole", true)).status, 200); // cut after "one"
  auto t = call("GET", "/metrics").body;
  CAF_CHECK_EQUAL(sample(t, R"(et_gateway_fallbacks_total{reason="rate_limited",skipped="false"})"),
                  1);
  CAF_CHECK_EQUAL(sample(t, "et_gateway_retries_total"), 0); // retry: {attempts: 1}
  CAF_CHECK_EQUAL(
      sample(t, R"(et_gateway_requests_total{protocol="openai",model="coder",status_class="2xx"})"),
      1);
  // The cut stream had sent its head (200), and is an error all the same.
  CAF_CHECK_EQUAL(sample(t, R"(et_gateway_requests_total{protocol="openai",model="cutrole",)"
                            R"(status_class="2xx"})"),
                  1);
  CAF_CHECK_EQUAL(
      sample(t, R"(et_gateway_errors_total{protocol="openai",class="stream_interrupted"})"), 1);
  CAF_CHECK_EQUAL(sample(t, R"(et_gateway_time_to_first_token_seconds_count{protocol="openai"})"),
                  1);
  CAF_CHECK_GREATER(sample(t, R"(et_gateway_tokens_total{model="gpt",kind="completion"})"), 0);
}

CAF_TEST(with keys metrics need one and health stays open) {
  auto made = run_et(dir, {"keys", "create", "scraper", "--config", (dir / "et.yaml").string()});
  CAF_REQUIRE_EQUAL(made.code, 0);
  auto key = made.out.substr(0, made.out.find('\n'));
  serve();
  CAF_CHECK_EQUAL(call("GET", "/metrics").status, 401);
  CAF_CHECK_EQUAL(call("GET", "/health").status, 200);
  auto m = call("GET", "/metrics", "", {{"Authorization", "Bearer " + key}});
  CAF_CHECK_EQUAL(m.status, 200);
  CAF_CHECK(has(m.body, "# TYPE et_gateway_requests_total counter\n"));
  CAF_CHECK(!has(m.body, key));
  CAF_CHECK(!has(m.body, "scraper"));
}

CAF_TEST(a web page cannot read the open gateway metrics) {
  serve();
  CAF_CHECK_EQUAL(call("GET", "/metrics", "", {{"Origin", "http://evil.example"}}).status, 403);
}

CAF_TEST_FIXTURE_SCOPE_END()
