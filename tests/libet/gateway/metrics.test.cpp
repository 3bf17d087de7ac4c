#define CAF_SUITE libet.gateway.metrics
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "et/gateway/meter.hpp"
#include "et/gateway/metrics.hpp"

using namespace et;
using namespace et::gateway;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t lines_with(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    ++n;
  return n;
}

} // namespace

CAF_TEST(counters and gauges render in the exposition format exactly) {
  metric_registry reg;
  auto c = reg.counter("t_requests_total", "Requests.\nby code", {"code", "path"});
  auto g = reg.gauge("t_open", "Open now.", {});
  reg.add(c, {"200", "/a"});
  reg.add(c, {"200", "/a"}, 2);
  reg.add(c, {"404", "/b"});
  reg.add(c, {"404", "/b"}, -5); // a counter never goes down
  reg.set(g, {}, 7);
  reg.add(c, {"too few labels"}); // ignored, not a crash
  CAF_CHECK_EQUAL(reg.render(), "# HELP t_requests_total Requests.\\nby code\n"
                                "# TYPE t_requests_total counter\n"
                                "t_requests_total{code=\"200\",path=\"/a\"} 3\n"
                                "t_requests_total{code=\"404\",path=\"/b\"} 1\n"
                                "# HELP t_open Open now.\n"
                                "# TYPE t_open gauge\n"
                                "t_open 7\n");
}

CAF_TEST(a family without labels shows zero before any update) {
  metric_registry reg;
  reg.counter("t_total", "T.", {});
  CAF_CHECK_EQUAL(reg.render(), "# HELP t_total T.\n# TYPE t_total counter\nt_total 0\n");
}

CAF_TEST(label values are escaped) {
  CAF_CHECK_EQUAL(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  metric_registry reg;
  auto c = reg.counter("t_total", "T.", {"model"});
  reg.add(c, {"x\"} 99\nevil_metric 1"});
  auto text = reg.render();
  CAF_CHECK(has(text, "t_total{model=\"x\\\"} 99\\nevil_metric 1\"} 1\n"));
  CAF_CHECK(!has(text, "\nevil_metric"));
}

CAF_TEST(sample values are the shortest decimal) {
  CAF_CHECK_EQUAL(format_sample(3), "3");
  CAF_CHECK_EQUAL(format_sample(0.001), "0.001");
  CAF_CHECK_EQUAL(format_sample(0.1 + 0.2), "0.30000000000000004");
  CAF_CHECK_EQUAL(format_sample(1e300 * 1e10), "+Inf");
}

CAF_TEST(histogram buckets are cumulative with inf sum and count) {
  metric_registry reg;
  auto h = reg.histogram("t_seconds", "T.", {"p"}, {0.5, 0.1, 1});
  reg.observe(h, {"x"}, 0.05);
  reg.observe(h, {"x"}, 0.1); // le is inclusive
  reg.observe(h, {"x"}, 0.7);
  reg.observe(h, {"x"}, 5);
  CAF_CHECK_EQUAL(reg.render(), "# HELP t_seconds T.\n"
                                "# TYPE t_seconds histogram\n"
                                "t_seconds_bucket{p=\"x\",le=\"0.1\"} 2\n"
                                "t_seconds_bucket{p=\"x\",le=\"0.5\"} 2\n"
                                "t_seconds_bucket{p=\"x\",le=\"1\"} 3\n"
                                "t_seconds_bucket{p=\"x\",le=\"+Inf\"} 4\n"
                                "t_seconds_sum{p=\"x\"} 5.85\n"
                                "t_seconds_count{p=\"x\"} 4\n");
}

CAF_TEST(latency buckets run from a millisecond to a minute) {
  auto b = latency_buckets();
  CAF_REQUIRE(!b.empty());
  CAF_CHECK_EQUAL(b.front(), 0.001);
  CAF_CHECK_EQUAL(b.back(), 60.0);
  CAF_CHECK(std::is_sorted(b.begin(), b.end()));
}

CAF_TEST(a family past its series bound folds new label sets into other) {
  metric_registry reg{4};
  auto c = reg.counter("t_total", "T.", {"model", "class"});
  for (int i = 0; i < 1000; ++i)
    reg.add(c, {"m" + std::to_string(i), "x"});
  auto text = reg.render();
  CAF_CHECK_EQUAL(lines_with(text, "t_total{"), 4u);
  CAF_CHECK(has(text, "t_total{model=\"m0\",class=\"x\"} 1\n"));
  CAF_CHECK(has(text, "t_total{model=\"other\",class=\"other\"} 997\n"));
  reg.add(c, {"m1", "x"}); // a known series still counts on its own
  CAF_CHECK(has(reg.render(), "t_total{model=\"m1\",class=\"x\"} 2\n"));
}

CAF_TEST(updates from many threads are all counted) {
  metric_registry reg;
  auto c = reg.counter("t_total", "T.", {});
  auto h = reg.histogram("t_seconds", "T.", {}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        reg.add(c, {});
        reg.observe(h, {}, 0.5);
      }
    });
  for (auto& t : threads)
    t.join();
  auto text = reg.render();
  CAF_CHECK(has(text, "t_total 4000\n"));
  CAF_CHECK(has(text, "t_seconds_count 4000\n"));
}

namespace {

config::settings two_models() {
  config::settings s;
  auto alias = [&](const std::string& name, const std::string& provider, const std::string& id) {
    config::model_alias a;
    a.name = name;
    a.provider = provider;
    a.model = id;
    s.models[name] = a;
  };
  alias("gpt", "oa", "fake-small");
  alias("claude", "an", "fake-large");
  s.roles["coder"].name = "coder";
  return s;
}

} // namespace

CAF_TEST(model labels are configured names or other) {
  meter m{two_models()};
  CAF_CHECK_EQUAL(m.model_label("gpt"), "gpt");
  CAF_CHECK_EQUAL(m.model_label("coder"), "coder");
  CAF_CHECK_EQUAL(m.model_label("oa/fake-small"), "oa/fake-small");
  CAF_CHECK_EQUAL(m.model_label("oa/anything-else"), "other");
  CAF_CHECK_EQUAL(m.model_label("random-123"), "other");
  for (int i = 0; i < 5000; ++i)
    m.request(protocol::openai, m.model_label("random-" + std::to_string(i)), 404, "not_found");
  auto text = m.render(0, 0);
  CAF_CHECK(has(text, "et_gateway_requests_total{protocol=\"openai\",model=\"other\","
                      "status_class=\"4xx\"} 5000\n"));
  CAF_CHECK(!has(text, "random-"));
  CAF_CHECK(has(text, "et_gateway_errors_total{protocol=\"openai\",class=\"not_found\"} 5000\n"));
}

CAF_TEST(an answer counts tokens dollars retries and fallbacks) {
  meter m{two_models()};
  routed_response r;
  r.alias = "claude";
  r.provider = "an";
  r.model = "fake-large";
  r.response.tokens.prompt_tokens = 12;
  r.response.tokens.completion_tokens = 5;
  r.response.usd = 0.25;
  // gpt took three attempts (two retries) and failed over, a cooling candidate was skipped,
  // claude answered: 4 attempts in all.
  r.attempts = 4;
  fallback_taken failed, skipped;
  failed.from = "gpt";
  failed.to = "x";
  failed.reason = errc::overloaded;
  skipped.from = "x";
  skipped.to = "claude";
  skipped.reason = errc::rate_limited;
  skipped.skipped = true;
  r.fallbacks = {failed, skipped};
  m.answered(r);
  auto text = m.render(2, 3, 4096);
  CAF_CHECK(has(text, "et_gateway_tokens_total{model=\"claude\",kind=\"prompt\"} 12\n"));
  CAF_CHECK(has(text, "et_gateway_tokens_total{model=\"claude\",kind=\"completion\"} 5\n"));
  CAF_CHECK(has(text, "et_gateway_cost_usd_total{model=\"claude\"} 0.25\n"));
  CAF_CHECK(has(text, "et_gateway_retries_total 2\n"));
  CAF_CHECK(has(text, "et_gateway_fallbacks_total{reason=\"overloaded\",skipped=\"false\"} 1\n"));
  CAF_CHECK(has(text, "et_gateway_fallbacks_total{reason=\"rate_limited\",skipped=\"true\"} 1\n"));
  CAF_CHECK(has(text, "et_gateway_requests_in_flight 2\n"));
  CAF_CHECK(has(text, "et_gateway_open_connections 3\n"));
  CAF_CHECK(has(text, "et_gateway_request_body_bytes 4096\n"));
}

CAF_TEST(latencies split into router time and the gateway overhead) {
  meter m{two_models()};
  using s = meter::seconds;
  m.timed(protocol::anthropic, true, s{0.3}, s{0.1});
  m.timed(protocol::anthropic, false, s{0.002}, std::nullopt); // refused before the router
  m.first_token(protocol::anthropic, s{0.05});
  auto text = m.render(0, 0);
  CAF_CHECK(has(text, "et_gateway_request_duration_seconds_count{protocol=\"anthropic\","
                      "stream=\"true\"} 1\n"));
  CAF_CHECK(has(text, "et_gateway_request_duration_seconds_count{protocol=\"anthropic\","
                      "stream=\"false\"} 1\n"));
  CAF_CHECK(has(text, "et_gateway_router_duration_seconds_sum{protocol=\"anthropic\","
                      "stream=\"true\"} 0.1\n"));
  CAF_CHECK(!has(text, "et_gateway_router_duration_seconds_count{protocol=\"anthropic\","
                       "stream=\"false\"}"));
  CAF_CHECK(has(text, "et_gateway_overhead_seconds_bucket{protocol=\"anthropic\",stream=\"true\","
                      "le=\"0.1\"} 0\n"));
  CAF_CHECK(has(text, "et_gateway_overhead_seconds_bucket{protocol=\"anthropic\",stream=\"true\","
                      "le=\"0.25\"} 1\n"));
  CAF_CHECK(has(text, "et_gateway_time_to_first_token_seconds_bucket{protocol=\"anthropic\","
                      "le=\"0.05\"} 1\n"));
}

CAF_TEST(error classes are errc names) {
  CAF_CHECK_EQUAL(error_class({429, "", "", 3, "budget_exceeded"}), "budget_exceeded");
  CAF_CHECK_EQUAL(error_class({403, "", "", 0, "forbidden"}), "auth");
  CAF_CHECK_EQUAL(error_class({401, "", "", 0, ""}), "auth");
  CAF_CHECK_EQUAL(error_class({405, "", "", 0, ""}), "invalid_input");
  CAF_CHECK_EQUAL(error_class({413, "", "", 0, ""}), "invalid_input");
  CAF_CHECK_EQUAL(error_class({500, "", "", 0, ""}), "server_error");
  CAF_CHECK_EQUAL(status_class(529), "5xx");
}
