#include "et/cost/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace et::cost {

namespace {

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

// "0.5000" -> "0.50": cents always show, further zeros add nothing.
std::string trim_zeros(std::string text) {
  auto dot = text.find('.');
  if (dot == std::string::npos)
    return text;
  auto keep = dot + 3;
  while (text.size() > keep && text.back() == '0')
    text.pop_back();
  return text;
}

// A table row: a label and its cells; a row without cells is a heading.
struct row {
  std::string label;
  std::vector<std::string> cells;
};

row make_row(std::string label, const spend& s) {
  return {std::move(label),
          {std::to_string(s.requests), std::to_string(s.failures), std::to_string(s.prompt_tokens),
           std::to_string(s.cache_read_tokens), std::to_string(s.completion_tokens),
           format_cost(s)}};
}

void add_section(std::vector<row>& rows, std::string heading,
                 const std::map<std::string, spend>& groups) {
  rows.push_back({std::move(heading), {}});
  for (const auto& [name, s] : groups)
    rows.push_back(make_row("  " + (name.empty() ? std::string{"(none)"} : name), s));
}

std::string pad(const std::string& text, size_t width, bool right) {
  if (text.size() >= width)
    return text;
  std::string fill(width - text.size(), ' ');
  return right ? fill + text : text + fill;
}

std::string render_rows(const std::vector<row>& rows) {
  std::vector<size_t> widths(rows.front().cells.size() + 1, 0);
  for (const auto& r : rows) {
    if (r.cells.empty())
      continue;
    widths[0] = std::max(widths[0], r.label.size());
    for (size_t i = 0; i < r.cells.size(); ++i)
      widths[i + 1] = std::max(widths[i + 1], r.cells[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line = r.cells.empty() ? r.label : pad(r.label, widths[0], false);
    for (size_t i = 0; i < r.cells.size(); ++i) {
      // Numbers line up on the right; the cost column reads left to right.
      bool last = i + 1 == r.cells.size();
      line += "  " + (last ? r.cells[i] : pad(r.cells[i], widths[i + 1], true));
    }
    out += line + "\n";
  }
  return out;
}

} // namespace

void summary::add(const call_record& call) {
  spend one;
  one.add(call.tokens, call.usd, call.ok, call.estimated());
  total_ += one;
  roles_[call.role] += one;
  providers_[call.provider] += one;
  models_[call.model] += one;
}

std::string format_usd(double usd) {
  if (!std::isfinite(usd))
    return "$?";
  if (usd < 0)
    return "-" + format_usd(-usd);
  if (usd == 0)
    return "$0.00";
  if (usd >= 1)
    return "$" + fixed(usd, 2);
  if (usd >= 0.0001)
    return "$" + trim_zeros(fixed(usd, 4));
  // Two significant digits, so a single cheap call never shows as $0.00.
  int decimals = 1 - static_cast<int>(std::floor(std::log10(usd)));
  return "$" + trim_zeros(fixed(usd, decimals));
}

std::string format_usd(std::optional<double> usd) {
  return usd ? format_usd(*usd) : std::string{"unpriced"};
}

std::string format_cost(const spend& s) {
  if (!s.has_unpriced)
    return format_usd(s.usd);
  if (s.unpriced_requests >= s.requests && s.usd == 0)
    return "unpriced";
  return format_usd(s.usd) + " (+" + std::to_string(s.unpriced_requests) + " unpriced)";
}

std::string estimated_note(const spend& s) {
  if (s.estimated_requests == 0)
    return {};
  auto attempts = std::to_string(s.estimated_requests)
                  + (s.estimated_requests == 1 ? " attempt" : " attempts")
                  + " that ended without usage after the provider took the prompt (a timeout, a "
                    "broken stream)";
  // Unpriced (or free) models give no estimate: "about $0.00" would read as a measured zero.
  if (s.estimated_usd <= 0)
    return "estimated: no cost known for " + attempts + " (their models are free or unpriced)\n";
  return "estimated: about " + format_usd(s.estimated_usd) + " more for " + attempts
         + "; budgets count it, the totals above do not\n";
}

std::string render_table(const summary& s) {
  std::vector<row> rows;
  rows.push_back({"", {"calls", "failed", "prompt", "cached", "completion", "cost"}});
  add_section(rows, "by role", s.by_role());
  add_section(rows, "by provider", s.by_provider());
  add_section(rows, "by model", s.by_model());
  rows.push_back(make_row("total", s.total()));
  auto out = render_rows(rows);
  if (s.total().has_unpriced)
    out += "unpriced: no price is known for some models; give their alias `price: {input: USD, "
           "output: USD}` (per million tokens; 0 for a free local model) or set pricing.file "
           "(a LiteLLM price map)\n";
  out += estimated_note(s.total());
  return out;
}

} // namespace et::cost
