// Images in upstream requests (see detail/images.hpp).

#include "et/wire/detail/images.hpp"

#include <algorithm>

#include "et/util/url.hpp"

namespace et::wire::detail {

std::string image_url(const image& i) {
  if (!i.url.empty())
    return i.url;
  return "data:" + i.media_type + ";base64," + i.data;
}

result<void> refuse_image_links(const chat_request& req, std::string_view why) {
  auto is_link = [](const image& i) { return !i.url.empty(); };
  for (const auto& m : req.messages)
    if (std::any_of(m.images.begin(), m.images.end(), is_link))
      return make_failure(errc::unsupported, std::string{why});
  return {};
}

result<void> refuse_documents(const chat_request& req, std::string_view why, bool links_only) {
  auto refused = [&](const image& i) { return is_document(i) && (!links_only || !i.url.empty()); };
  for (const auto& m : req.messages)
    if (std::any_of(m.images.begin(), m.images.end(), refused))
      return make_failure(errc::unsupported, std::string{why});
  return {};
}

result<void> refuse_links_off_cloud(const chat_request& req, const config::provider& p) {
  if (p.base_url.empty()) // the protocol's own cloud, as the codecs default it
    return {};
  auto u = parse_url(p.base_url);
  if (u && (u->host == "api.openai.com" || u->host == "api.anthropic.com"))
    return {};
  return refuse_image_links(req, p.name
                                     + ": links to images and documents go only to "
                                       "api.openai.com and api.anthropic.com (another server "
                                       "would fetch them from inside this network): send "
                                       "their bytes (base64)");
}

} // namespace et::wire::detail
