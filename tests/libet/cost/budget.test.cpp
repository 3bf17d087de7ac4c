#define CAF_SUITE libet.cost.budget
#include "caf/test/unit_test.hpp"

#include <cmath>

#include "et/cost/attachments.hpp"
#include "et/cost/budget.hpp"
#include "et/cost/reports.hpp"

using namespace et;
using namespace et::cost;

namespace {

bool near(double a, double b) {
  return std::fabs(a - b) <= 1e-12 + 1e-9 * std::fabs(b);
}

const std::map<std::string, double> no_roles;

config::budgets per_run(double limit) {
  config::budgets b;
  b.per_run = limit;
  return b;
}

} // namespace

CAF_TEST(no budgets allow any request) {
  auto check = check_budget(config::budgets{}, 1e6, 1e6, no_roles, "mayor", 100.0);
  CAF_CHECK(check.allowed);
  CAF_CHECK_EQUAL(check.reason, "");
}

CAF_TEST(a request that would cross the per run budget is refused) {
  auto check = check_budget(per_run(2.50), 2.49, 0, no_roles, "mayor", 0.02);
  CAF_CHECK(!check.allowed);
  CAF_CHECK_EQUAL(check.reason,
                  "per_run budget $2.50 would be exceeded: spent $2.49 + next ~$0.02");
}

CAF_TEST(a request that fits the per run budget is allowed) {
  CAF_CHECK(check_budget(per_run(2.50), 2.40, 0, no_roles, "mayor", 0.05).allowed);
  // Reaching the budget exactly does not cross it.
  CAF_CHECK(check_budget(per_run(2.0), 1.5, 0, no_roles, "mayor", 0.5).allowed);
  CAF_CHECK(check_budget(per_run(0.3), 0.1, 0, no_roles, "mayor", 0.2).allowed);
}

CAF_TEST(a request that would cross the per day budget is refused) {
  config::budgets b;
  b.per_day = 10.0;
  auto check = check_budget(b, 0.10, 9.99, no_roles, "polecat", 0.05);
  CAF_CHECK(!check.allowed);
  CAF_CHECK_EQUAL(check.reason,
                  "per_day budget $10.00 would be exceeded: spent $9.99 + next ~$0.05");
  CAF_CHECK(check_budget(b, 0.10, 9.90, no_roles, "polecat", 0.05).allowed);
}

CAF_TEST(a request that would cross its role budget is refused) {
  config::budgets b;
  b.per_role["polecat"] = 1.0;
  std::map<std::string, double> spent{{"polecat", 0.99}, {"mayor", 5.0}};
  auto check = check_budget(b, 6.0, 6.0, spent, "polecat", 0.02);
  CAF_CHECK(!check.allowed);
  CAF_CHECK_EQUAL(check.reason,
                  "per_role budget for polecat $1.00 would be exceeded: spent $0.99 + next ~$0.02");
  // Other roles have no budget of their own.
  CAF_CHECK(check_budget(b, 6.0, 6.0, spent, "mayor", 0.02).allowed);
}

CAF_TEST(a role that has spent nothing yet starts from zero) {
  config::budgets b;
  b.per_role["witness"] = 0.10;
  CAF_CHECK(check_budget(b, 0, 0, no_roles, "witness", 0.05).allowed);
  CAF_CHECK(!check_budget(b, 0, 0, no_roles, "witness", 0.15).allowed);
}

CAF_TEST(the per run budget is named first when several are crossed) {
  config::budgets b;
  b.per_run = 1.0;
  b.per_day = 1.0;
  b.per_role["mayor"] = 1.0;
  std::map<std::string, double> spent{{"mayor", 1.0}};
  auto check = check_budget(b, 1.0, 1.0, spent, "mayor", 0.5);
  CAF_CHECK(!check.allowed);
  CAF_CHECK_EQUAL(check.reason.rfind("per_run budget", 0), 0u);
}

CAF_TEST(a free request is allowed even past a budget) {
  auto check = check_budget(per_run(1.0), 1.5, 0, no_roles, "witness", 0.0);
  CAF_CHECK(check.allowed);
  CAF_CHECK(!check_budget(per_run(1.0), 1.5, 0, no_roles, "witness", 0.0001).allowed);
}

CAF_TEST(the estimate assumes a completion of max tokens) {
  model_price p;
  p.input_per_token = 2e-06;
  p.output_per_token = 8e-06;
  // 1000 * 2e-6 + 4096 * 8e-6 = 0.002 + 0.032768
  CAF_CHECK(near(estimate_request_usd(p, 1000, 4096), 0.034768));
  CAF_CHECK_EQUAL(estimate_request_usd(p, 0, 0), 0.0);
  CAF_CHECK_EQUAL(estimate_request_usd(p, -5, -5), 0.0);
  CAF_CHECK_EQUAL(estimate_request_usd(model_price{}, 1000, 1000), 0.0);
}

CAF_TEST(a prompt estimate counts its images as well as its text) {
  chat_request req;
  req.messages.push_back(message{role::system, std::string(30, 's'), {}, {}, {}});
  req.messages.push_back(message{role::user, std::string(60, 'u'), {}, {}, {}});
  CAF_CHECK_EQUAL(estimate_prompt_tokens(req), 31); // 90 bytes of text
  req.messages[1].images.push_back(image{"image/png", "iVBORw0KGgo=", {}, {}, 3});
  req.messages[1].images.push_back(image{{}, {}, "https://example.com/a.png", {}, 9});
  CAF_CHECK_EQUAL(estimate_prompt_tokens(req), 31 + 2 * image_token_estimate);
}

CAF_TEST(a prompt estimate counts tool schemas calls and thinking as input) {
  chat_request req;
  req.messages.push_back(message{role::user, "hi", {}, {}, {}});
  auto bare = estimate_prompt_tokens(req);
  req.tools.push_back(tool_spec{"read", "reads a file", std::string(3000, 'p')});
  auto with_tools = estimate_prompt_tokens(req);
  CAF_CHECK_GREATER_OR_EQUAL(with_tools, bare + 1000);
  message call{role::assistant, "", {tool_call{"c1", "read", std::string(3000, 'a')}}, {}, {}};
  call.thoughts.push_back(thought{std::string(3000, 't'), "sig", {}});
  req.messages.push_back(call);
  auto with_call = estimate_prompt_tokens(req);
  CAF_CHECK_GREATER_OR_EQUAL(with_call, with_tools + 2000);
  req.messages.push_back(message{role::tool, std::string(30, 'r'), {}, "c1", "read"});
  req.format.schema = std::string(3000, 's');
  CAF_CHECK_GREATER_OR_EQUAL(estimate_prompt_tokens(req), with_call + 1000);
}

CAF_TEST(a prompt estimate counts a document by its pages) {
  chat_request req;
  req.messages.push_back(message{role::user, std::string(30, 'u'), {}, {}, {}});
  image doc{"application/pdf", "JVBERi0xLjcK", {}, {}, 0};
  doc.pages = 2; // as the gateway counted them when it read the request
  req.messages[0].images.push_back(doc);
  CAF_CHECK_EQUAL(estimate_prompt_tokens(req), 11 + 2 * pdf_page_token_estimate);
}

CAF_TEST(money held for calls in flight counts and is named apart from spend) {
  std::map<std::string, double> no_roles;
  auto check = check_budget(per_run(0.015), 0, 0, no_roles, "polecat", 0.0104, 0.0104);
  CAF_CHECK(!check.allowed);
  CAF_CHECK_EQUAL(check.reason, "per_run budget $0.015 would be exceeded: spent $0.00 + held for "
                                "calls in flight $0.0104 + next ~$0.0104");
  CAF_CHECK(check_budget(per_run(0.015), 0.004, 0, no_roles, "polecat", 0.0104).allowed);
  config::budgets b;
  b.per_role["polecat"] = 0.02;
  std::map<std::string, double> spent{{"polecat", 0.005}};
  auto role = check_budget(b, 0, 0, spent, "polecat", 0.01, 0, 0.01);
  CAF_CHECK(!role.allowed);
  CAF_CHECK_EQUAL(role.reason, "per_role budget for polecat $0.02 would be exceeded: spent "
                               "$0.005 + held for calls in flight $0.01 + next ~$0.01");
}
