#pragma once
/// `--fetch URL`: web pages as context for a command, through et/context/fetch.hpp.

#include <optional>
#include <string>
#include <vector>

#include "et/app/commands.hpp"
#include "et/context/fetch.hpp"

namespace et::app {

/// The pages `urls` names, fetched (or taken from the cache) in order. The first that cannot
/// be fetched stops the command: "et COMMAND: --fetch URL: why" printed (the URL without
/// credentials), ctx.exit set, nullopt.
std::optional<std::vector<et::context::fetched_page>>
fetch_pages(context& ctx, const config::settings& s, const std::vector<std::string>& urls,
            const char* command);

/// The web context block (et/context/web_context.hpp) for `task` from the pages `urls`
/// names, "" for none; stops the command as fetch_pages() does. Stderr lists the sources
/// used.
std::optional<std::string> fetch_for_task(context& ctx, const config::settings& s,
                                          const std::vector<std::string>& urls,
                                          const std::string& task, const char* command);

} // namespace et::app
