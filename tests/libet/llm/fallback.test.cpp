#define CAF_SUITE libet.llm.fallback
#include "caf/test/unit_test.hpp"

#include "et/llm/fallback.hpp"

using namespace et;

CAF_TEST(a refused key reads as one line naming both deployments) {
  fallback_taken f{"claude-sonnet", "gpt4o", errc::auth, 401, false, "invalid x-api-key"};
  CAF_CHECK_EQUAL(describe(f, true), "claude-sonnet: 401 authentication failed; answered by gpt4o");
  CAF_CHECK_EQUAL(describe(f, false),
                  "claude-sonnet: 401 authentication failed; fell back to gpt4o");
}

CAF_TEST(reasons without a status and skipped deployments) {
  fallback_taken f{"big", "small", errc::context_overflow, 0, false, ""};
  CAF_CHECK_EQUAL(describe(f, true), "big: context too long; answered by small");
  f.reason = errc::unsupported; // e.g. json_object asked of an Anthropic model
  CAF_CHECK_EQUAL(describe(f, true), "big: cannot do what was asked; answered by small");
  f.reason = errc::context_overflow;
  f.skipped = true;
  f.reason = errc::rate_limited;
  f.http_status = 429;
  CAF_CHECK_EQUAL(describe(f, true), "big: skipped (cooling down after 429 rate limited); "
                                     "answered by small");
  f.reason = errc::provider_down;
  f.http_status = 0;
  CAF_CHECK_EQUAL(describe(f, false), "big: skipped (provider down); fell back to small");
  f.to.clear();
  CAF_CHECK_EQUAL(describe(f, false), "big: skipped (provider down); nothing left to try");
}

CAF_TEST(the message never reaches the line) {
  fallback_taken f{"a", "b", errc::server_error, 500, false, "stack trace here"};
  CAF_CHECK_EQUAL(describe(f, true).find("stack"), std::string::npos);
}

CAF_TEST(counts by reason) {
  fallback_counts counts;
  CAF_CHECK_EQUAL(counts_text(counts), "");
  count_fallbacks(counts, {{"a", "b", errc::auth, 401, false, ""},
                           {"b", "c", errc::rate_limited, 429, false, ""},
                           {"x", "y", errc::auth, 403, false, ""}});
  CAF_CHECK_EQUAL(counts.at(errc::auth), 2);
  CAF_CHECK_EQUAL(counts.at(errc::rate_limited), 1);
  CAF_CHECK_EQUAL(counts_text(counts), "3 fallbacks: 1 rate_limited, 2 auth");
  fallback_counts one;
  count_fallbacks(one, {{"a", "b", errc::timeout, 0, false, ""}});
  CAF_CHECK_EQUAL(counts_text(one), "1 fallback: 1 timeout");
}
