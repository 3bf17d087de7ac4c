#include "et/app/context_fetch.hpp"

#include <ostream>

#include "et/config/paths.hpp"
#include "et/context/fetch.hpp"
#include "et/context/prompt.hpp"
#include "et/context/web_context.hpp"
#include "et/http/runtime.hpp"

namespace et::app {

std::optional<std::string> fetch_for_task(context& ctx, const config::settings& s,
                                          const std::vector<std::string>& urls,
                                          const std::string& task, const char* command) {
  if (urls.empty())
    return std::string{};
  http::runtime rt{1};
  std::optional<std::string> block;
  {
    et::context::page_fetcher fetcher{rt, s.context.fetch,
                                      config::state_dir(s, config::process_env())};
    std::vector<et::context::fetched_page> pages;
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
    auto hits = et::context::rank_pages(pages, task);
    block = et::context::web_block(hits);
    if (!hits.empty()) {
      ctx.err << "context: " << hits.size() << " excerpts from " << pages.size() << " page"
              << (pages.size() == 1 ? "" : "s") << ":";
      for (const auto& h : hits)
        ctx.err << " " << et::context::source_of(h);
      ctx.err << "\n";
    }
  } // the fetcher's client goes before its runtime
  return block;
}

} // namespace et::app
