// `context.fetch`: how --fetch reaches web pages (limits, the address switch, a reader).
#include <cctype>

#include "et/config/detail/sections.hpp"
#include "et/util/http_syntax.hpp"
#include "et/util/url.hpp"

namespace et::config::detail {

namespace {

bool is_variable_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  for (char c : name)
    if (c != '_' && !std::isalnum(static_cast<unsigned char>(c)))
      return false;
  return true;
}

void read_reader(reader& r, const located& at, fetch_reader& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"base_url", "api_key_env"});
  auto base_at = r.child(at, "base_url");
  if (auto base = r.text(base_at)) {
    // The page's URL is appended as is, so the base is kept verbatim (path and all).
    if (!parse_url(*base))
      r.error(base_at.node, base_at.path, "expected an http(s) URL, e.g. https://r.jina.ai/");
    else
      out.base_url = *base;
  }
  auto env_at = r.child(at, "api_key_env");
  if (auto name = r.text(env_at)) {
    if (!is_variable_name(*name)) {
      r.error(env_at.node, env_at.path, "\"" + *name + "\" is not an environment variable name");
    } else {
      out.api_key_env = *name;
      auto value = r.env() ? r.env()(*name) : std::nullopt;
      if (!value || value->empty())
        r.credential_error(env_at.node, env_at.path, *name + " is not set");
      else if (!is_http_field_value(*value))
        r.credential_error(env_at.node, env_at.path,
                           *name + " holds a control character (it is sent in an HTTP header)");
      else
        out.api_key = *value;
    }
  }
  if (!out.api_key_env.empty() && out.base_url.empty())
    r.error(at.node, at.path, "api_key_env needs a base_url");
}

} // namespace

void read_context_fetch(reader& r, const located& at, fetch_settings& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at,
               {"allow_private", "max_bytes", "timeout", "max_redirects", "cache_ttl", "reader"});
  if (auto v = r.boolean(r.child(at, "allow_private")))
    out.allow_private = *v;
  if (auto v = r.integer(r.child(at, "max_bytes"), 1024, int64_t{64} << 20))
    out.max_bytes = *v;
  if (auto v = r.duration(r.child(at, "timeout")))
    out.timeout = *v;
  if (auto v = r.integer(r.child(at, "max_redirects"), 0, 20))
    out.max_redirects = static_cast<int>(*v);
  if (auto v = r.duration(r.child(at, "cache_ttl"), true))
    out.cache_ttl = *v;
  read_reader(r, r.child(at, "reader"), out.reader);
}

} // namespace et::config::detail
