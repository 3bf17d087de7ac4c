#pragma once
/// How every `--json` document leaves et.

#include <boost/json/fwd.hpp>
#include <iosfwd>

namespace et::app {

/// Writes `doc` to `out` as one line of JSON that is valid UTF-8 (RFC 8259). Its strings may
/// come from a journal, a model or an upstream and hold bytes that are not UTF-8, which
/// Boost.JSON writes as they are: a strict reader would refuse the whole document.
void print_json(std::ostream& out, const boost::json::value& doc);

} // namespace et::app
