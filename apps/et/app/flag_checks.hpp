#pragma once
/// Checks of number flags that say in one line what they expect.

#include <CLI/CLI.hpp>
#include <string>

namespace et::app {

/// A number between `low` and `high` (a whole number when `whole`, then passed on in plain
/// decimal: "5.0" and "010" read as 5 and 10; above `low`, not equal to it, when `above_low`).
/// A bad value gets `expected WHAT, got "TEXT"`: CLI11's own range checks print the largest
/// double (309 digits) as their bound. Add it with `transform` (CLI11's `check` may not
/// change the text).
CLI::Validator number_check(std::string what, double low, double high, bool whole,
                            bool above_low = false);

} // namespace et::app
