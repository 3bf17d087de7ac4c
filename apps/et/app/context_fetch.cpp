#include "et/app/context_fetch.hpp"

#include <ostream>

#include "et/config/paths.hpp"
#include "et/context/prompt.hpp"
#include "et/context/web_context.hpp"
#include "et/http/runtime.hpp"

namespace et::app {

std::optional<std::vector<et::context::fetched_page>>
fetch_pages(context& ctx, const config::settings& s, const std::vector<std::string>& urls,
            const char* command) {
  std::vector<et::context::fetched_page> pages;
  if (urls.empty())
    return pages;
  http::runtime rt{1};
  // The fetcher's client goes before its runtime.
  et::context::page_fetcher fetcher{rt, s.context.fetch,
                                    config::state_dir(s, config::process_env())};
  for (const auto& url : urls) {
    auto page = fetcher.fetch(url);
    if (!page) {
      // The message starts with the URL as it may be shown (no credentials).
      ctx.err << "et " << command << ": --fetch " << page.error().message << "\n";
      ctx.exit = exit_failed;
      return std::nullopt;
    }
    pages.push_back(std::move(*page));
  }
  return pages;
}

std::optional<std::string> fetch_for_task(context& ctx, const config::settings& s,
                                          const std::vector<std::string>& urls,
                                          const std::string& task, const char* command) {
  auto pages = fetch_pages(ctx, s, urls, command);
  if (!pages)
    return std::nullopt;
  auto hits = et::context::rank_pages(*pages, task);
  if (!hits.empty()) {
    ctx.err << "context: " << hits.size() << " excerpts from " << pages->size() << " page"
            << (pages->size() == 1 ? "" : "s") << ":";
    for (const auto& h : hits)
      ctx.err << " " << et::context::source_of(h);
    ctx.err << "\n";
  }
  return et::context::web_block(hits);
}

} // namespace et::app
