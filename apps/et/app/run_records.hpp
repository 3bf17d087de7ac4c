#pragma once
/// Run journals as the commands use them: one run as a JSON document
/// (`et run --json`, `et runs show --json`) and finding a run by id or prefix
/// (`et runs show`, `et run --resume`).

#include <boost/json/object.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "et/app/commands.hpp"
#include "et/store/journal.hpp"

namespace et::app {

/// Every field of `run` as JSON.
boost::json::object run_to_json(const store::run_record& run);

/// The run named exactly `id`, else the one run whose id starts with it. Prints one line
/// (prefixed by `command`) and sets ctx.exit when there is none (with a did-you-mean), more
/// than one, or the journal is unreadable.
std::optional<store::run_record> find_run(context& ctx, std::string_view command,
                                          const std::filesystem::path& dir, const std::string& id);

} // namespace et::app
