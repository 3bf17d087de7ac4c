#pragma once
/// `et run` in single mode: one worker's answer, streamed to the terminal token by token, or
/// with `--json` kept for one document at the end.

#include <memory>

#include "et/app/commands.hpp"
#include "et/app/run_pipeline.hpp"

namespace et::app {

/// Asks the worker role `o.task` and shows the answer; the exit code (130 on Ctrl-C, 1 on a
/// failure or --timeout).
int run_single(context& ctx, std::shared_ptr<config::settings> s, const run_options& o);

} // namespace et::app
