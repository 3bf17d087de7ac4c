#pragma once
/// The JSON text et writes (request bodies, journals, gateway replies, `--json`). Boost.JSON's
/// serializer writes every double in scientific form (0.7 as 7E-1, 0 as 0E0): valid JSON, but
/// not what people read in `et cost --json` or expect to see sent as a temperature.

#include <boost/json/fwd.hpp>
#include <string>

namespace et {

/// `v` as compact JSON text, byte for byte what boost::json::serialize writes, except for
/// doubles: the shortest text that reads back as the same double, in plain decimals from 1e-7
/// to 1e17 and in exponent form beyond, always with a '.' or an exponent so it reads back as a
/// double and not an integer (0.7, 0.0, 0.00000627, 24000000000.0, 1e+21); null for infinity
/// and NaN.
std::string json_text(const boost::json::value& v);

/// `o` as compact JSON text (as json_text of a value, without copying it into one).
std::string json_text(const boost::json::object& o);

/// `a` as compact JSON text (as json_text of a value, without copying it into one).
std::string json_text(const boost::json::array& a);

} // namespace et
