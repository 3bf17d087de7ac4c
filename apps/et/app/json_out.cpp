#include "et/app/json_out.hpp"

#include <boost/json/value.hpp>
#include <ostream>

#include "et/util/json_text.hpp"
#include "et/util/text.hpp"

namespace et::app {

void print_json(std::ostream& out, const boost::json::value& doc) {
  auto text = json_text(doc);
  make_valid_utf8(text);
  out << text << "\n";
}

} // namespace et::app
