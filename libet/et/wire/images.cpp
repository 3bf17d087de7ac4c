// Images in upstream requests (see detail/images.hpp).

#include "et/wire/detail/images.hpp"

#include <algorithm>

namespace et::wire::detail {

std::string image_url(const image& i) {
  if (!i.url.empty())
    return i.url;
  return "data:" + i.media_type + ";base64," + i.data;
}

result<void> refuse_image_links(const chat_request& req, std::string_view protocol) {
  auto is_link = [](const image& i) { return !i.url.empty(); };
  for (const auto& m : req.messages)
    if (std::any_of(m.images.begin(), m.images.end(), is_link))
      return make_failure(errc::unsupported,
                          std::string{protocol}
                              + ": image links are not supported: send the image's bytes "
                                "(base64)");
  return {};
}

} // namespace et::wire::detail
