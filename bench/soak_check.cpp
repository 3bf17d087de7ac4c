#include "soak_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "et/config/settings.hpp"
#include "et/llm/errc.hpp"

namespace et::bench::soak {

std::string subtask_text(int round, int number) {
  return "soak-r" + std::to_string(round) + "-s" + std::to_string(number) + " answer briefly";
}

std::optional<std::string> typed_reason(const std::string& message) {
  // The router's errc::all_failed carries only its message, which lists why
  // each candidate was passed over ("cooling down" is no errc).
  if (message.starts_with("every candidate of role "))
    return "all_failed";
  // Failures read "code: message" (nested ones "label: code: message"): the
  // first word that names an errc and ends in ':' is the class.
  size_t start = 0;
  while (start < message.size()) {
    auto colon = message.find(':', start);
    if (colon == std::string::npos)
      break;
    auto word_start = message.find_last_of(" (;", colon);
    word_start = word_start == std::string::npos || word_start < start ? start : word_start + 1;
    auto word = message.substr(word_start, colon - word_start);
    if (errc_from_string(word))
      return word;
    start = colon + 1;
  }
  return std::nullopt;
}

void soak_totals::add_round(int round, int count,
                            const std::vector<roles::subtask_outcome>& outcomes,
                            const std::string& error) {
  ++rounds;
  subtasks += count;
  std::vector<bool> seen(static_cast<size_t>(count) + 1, false);
  for (const auto& o : outcomes) {
    auto n = o.result.number;
    auto where = "round " + std::to_string(round) + " subtask " + std::to_string(n);
    if (n < 1 || n > count || seen[static_cast<size_t>(n)]) {
      lost.push_back(where + ": an outcome for no subtask sent, or a second one");
      continue;
    }
    seen[static_cast<size_t>(n)] = true;
    if (o.cancelled) {
      lost.push_back(where + ": cancelled");
    } else if (o.result.ok) {
      ++done;
      answers.emplace_back(subtask_text(round, n), o.result.output);
    } else if (auto why = typed_reason(o.result.error)) {
      ++failed_typed;
      ++failure_reasons[*why];
    } else {
      lost.push_back(where + ": failed without a typed reason: " + o.result.error);
    }
  }
  for (int n = 1; n <= count; ++n)
    if (!seen[static_cast<size_t>(n)])
      lost.push_back("round " + std::to_string(round) + " subtask " + std::to_string(n)
                     + ": no outcome" + (error.empty() ? "" : " (the pool failed: " + error + ")"));
}

void soak_totals::take_attempts(attempt_log& log) {
  std::lock_guard guard{log.mutex};
  attempts = log.attempts;
  retries = log.retries;
  by_outcome = log.by_outcome;
  ok_p50_ms = percentile(log.ok_ms, 0.50);
  ok_p99_ms = percentile(log.ok_ms, 0.99);
  all_p50_ms = percentile(log.all_ms, 0.50);
  all_p99_ms = percentile(log.all_ms, 0.99);
}

namespace {

// The upstream's billed tokens of each model at the price of the alias that names it.
double expected_usd(const upstream_report& u, const config::settings& s) {
  double usd = 0;
  for (const auto& [model, b] : u.models)
    for (const auto& [name, alias] : s.models)
      if (alias.model == model && alias.prices)
        usd += (static_cast<double>(b.prompt_tokens) * alias.prices->input
                + static_cast<double>(b.completion_tokens) * alias.prices->output)
               / 1e6;
  return usd;
}

std::string num(int64_t n) {
  return std::to_string(n);
}

} // namespace

soak_verdict check(const soak_totals& t, const config::settings& s, int64_t wanted_calls,
                   const config::settings* node) {
  soak_verdict v;
  auto fail = [&](std::string line) { v.failures.push_back(std::move(line)); };
  if (!t.upstream.ok)
    fail("the fake upstream's report could not be read");
  v.lost = static_cast<int64_t>(t.lost.size());
  for (const auto& why : t.lost)
    fail("lost: " + why);
  // Each answer must be exactly a text the upstream sent in full, and its own (the
  // upstream echoes the prompt, which holds the subtask's unique text).
  for (const auto& [subtask, output] : t.answers) {
    auto served = t.upstream.texts.find(output);
    if (served == t.upstream.texts.end() || served->second <= 0) {
      ++v.lost;
      fail("lost: the answer to \"" + subtask + "\" is not a text the upstream served");
    } else if (output.find(subtask) == std::string::npos) {
      ++v.lost;
      fail("lost: the answer to \"" + subtask + "\" is another subtask's");
    }
  }
  if (!t.ledger_error.empty())
    fail("the ledger's summary could not be read: " + t.ledger_error);
  const auto& u = t.upstream.total;
  if (t.ledger.prompt_tokens != u.prompt_tokens
      || t.ledger.completion_tokens != u.completion_tokens)
    fail("ledger tokens " + num(t.ledger.prompt_tokens) + " in / " + num(t.ledger.completion_tokens)
         + " out, the upstream billed " + num(u.prompt_tokens) + " / " + num(u.completion_tokens));
  if (t.ledger.requests - t.ledger.failures != u.answers)
    fail("the ledger has " + num(t.ledger.requests - t.ledger.failures)
         + " answered calls, the upstream billed " + num(u.answers) + " answers");
  v.expected_usd = expected_usd(t.upstream, s) + (node ? expected_usd(t.upstream, *node) : 0);
  if (std::abs(t.ledger.usd - v.expected_usd) > 1e-9 * std::max(1.0, v.expected_usd))
    fail("ledger $" + std::to_string(t.ledger.usd) + ", the upstream's tokens cost $"
         + std::to_string(v.expected_usd));
  if (t.ledger.requests != t.attempts)
    fail("the ledger recorded " + num(t.ledger.requests) + " calls, the router reported "
         + num(t.attempts));
  // Growth past warm-up: a leak of even a few KiB per call shows over 1,000 calls.
  v.growth_kib = t.rss_end_kib - t.rss_warm_kib;
  v.growth_limit_kib = std::max<int64_t>(16 * 1024, t.rss_warm_kib / 4);
  if (v.growth_kib > v.growth_limit_kib)
    fail("RSS grew " + num(v.growth_kib) + " KiB after warm-up (limit " + num(v.growth_limit_kib)
         + " KiB)");
  // Two kills at least: the second proves the caller used the restarted node again.
  if (t.node && t.node_kills < 2)
    fail("the node was killed " + num(t.node_kills) + " times; at least 2 wanted");
  if (t.node_failed_restarts > 0)
    fail("the node failed to start again " + num(t.node_failed_restarts) + " times");
  if (t.attempts < wanted_calls)
    fail("only " + num(t.attempts) + " model calls, " + num(wanted_calls) + " wanted");
  return v;
}

void print_report(const soak_totals& t, const soak_verdict& v) {
  std::printf(
      "soak: %d rounds, %lld subtasks, %lld model calls in %.1f s; upstream %lld requests\n",
      t.rounds, static_cast<long long>(t.subtasks), static_cast<long long>(t.attempts), t.seconds,
      static_cast<long long>(t.upstream.requests));
  std::printf("subtasks: %lld done, %lld failed with a typed reason, %lld lost\n",
              static_cast<long long>(t.done), static_cast<long long>(t.failed_typed),
              static_cast<long long>(v.lost));
  for (const auto& [why, n] : t.failure_reasons)
    std::printf("  failed %-20s %lld\n", why.c_str(), static_cast<long long>(n));
  std::printf("faults injected by the upstream:");
  for (const auto& [name, n] : t.upstream.faults)
    if (n > 0)
      std::printf(" %s %lld", name.c_str(), static_cast<long long>(n));
  std::printf("; provider actors killed mid-call: %lld\n", static_cast<long long>(t.kills));
  if (t.node)
    std::printf("node: killed mid-call and started again %lld times (%lld restarts failed)\n",
                static_cast<long long>(t.node_kills),
                static_cast<long long>(t.node_failed_restarts));
  std::printf("attempts by outcome:");
  for (const auto& [name, n] : t.by_outcome)
    std::printf(" %s %lld", name.c_str(), static_cast<long long>(n));
  std::printf("\nretries (same deployment again): %lld; pool moves to another member by class:",
              static_cast<long long>(t.retries));
  for (const auto& [name, n] : t.pool_moves)
    std::printf(" %s %lld", name.c_str(), static_cast<long long>(n));
  std::printf("\nlatency per call: answered p50 %.0f ms p99 %.0f ms; all p50 %.0f ms p99 %.0f ms\n",
              t.ok_p50_ms, t.ok_p99_ms, t.all_p50_ms, t.all_p99_ms);
  std::printf("ledger: %lld calls (%lld failed), %lld + %lld tokens, $%.6f; upstream billed %lld "
              "answers, %lld + %lld tokens = $%.6f\n",
              static_cast<long long>(t.ledger.requests), static_cast<long long>(t.ledger.failures),
              static_cast<long long>(t.ledger.prompt_tokens),
              static_cast<long long>(t.ledger.completion_tokens), t.ledger.usd,
              static_cast<long long>(t.upstream.total.answers),
              static_cast<long long>(t.upstream.total.prompt_tokens),
              static_cast<long long>(t.upstream.total.completion_tokens), v.expected_usd);
  for (const auto& [model, b] : t.upstream.models)
    std::printf("  billed %-16s %lld answers, %lld + %lld tokens\n", model.c_str(),
                static_cast<long long>(b.answers), static_cast<long long>(b.prompt_tokens),
                static_cast<long long>(b.completion_tokens));
  std::printf("%s", t.ledger.table.c_str());
  std::printf("RSS: %lld KiB after warm-up, %lld KiB at the end (growth %lld KiB, limit %lld)\n",
              static_cast<long long>(t.rss_warm_kib), static_cast<long long>(t.rss_end_kib),
              static_cast<long long>(v.growth_kib), static_cast<long long>(v.growth_limit_kib));
  for (const auto& line : v.failures)
    std::printf("FAIL %s\n", line.c_str());
  std::printf("%s\n", v.passed() ? "soak: PASS" : "soak: FAIL");
}

json_row to_row(const soak_totals& t, const soak_verdict& v) {
  json_row r;
  r.add("bench", "soak")
      .add("passed", static_cast<int64_t>(v.passed() ? 1 : 0))
      .add("rounds", static_cast<int64_t>(t.rounds))
      .add("subtasks", t.subtasks)
      .add("calls", t.attempts)
      .add("upstream_requests", t.upstream.requests)
      .add("done", t.done)
      .add("failed_typed", t.failed_typed)
      .add("lost", v.lost)
      .add("ledger_prompt_tokens", t.ledger.prompt_tokens)
      .add("ledger_completion_tokens", t.ledger.completion_tokens)
      .add("billed_prompt_tokens", t.upstream.total.prompt_tokens)
      .add("billed_completion_tokens", t.upstream.total.completion_tokens)
      .add("ledger_usd_micro", static_cast<int64_t>(std::llround(t.ledger.usd * 1e6)))
      .add("billed_usd_micro", static_cast<int64_t>(std::llround(v.expected_usd * 1e6)))
      .add("retries", t.retries)
      .add("kills", t.kills)
      .add("node_kills", t.node_kills)
      .add("ok_p50_ms", t.ok_p50_ms)
      .add("ok_p99_ms", t.ok_p99_ms)
      .add("all_p50_ms", t.all_p50_ms)
      .add("all_p99_ms", t.all_p99_ms)
      .add("rss_warm_kib", t.rss_warm_kib)
      .add("rss_end_kib", t.rss_end_kib)
      .add("seconds", t.seconds);
  for (const auto& [name, n] : t.upstream.faults)
    r.add("fault_" + name, n);
  for (const auto& [name, n] : t.by_outcome)
    r.add("attempts_" + name, n);
  for (const auto& [name, n] : t.pool_moves)
    r.add("moves_" + name, n);
  return r;
}

} // namespace et::bench::soak
