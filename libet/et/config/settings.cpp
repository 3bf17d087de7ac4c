#include "et/config/settings.hpp"

#include "et/config/secrets.hpp"

#include <algorithm>
#include <cctype>

namespace et::config {

std::string_view to_string(provider_type t) {
  switch (t) {
    case provider_type::openai:
      return "openai";
    case provider_type::anthropic:
      return "anthropic";
    case provider_type::ollama:
      return "ollama";
    case provider_type::gemini:
      return "gemini";
    case provider_type::mock:
      return "mock";
  }
  return "openai";
}

std::string_view to_string(auth_type a) {
  switch (a) {
    case auth_type::bearer:
      return "bearer";
    case auth_type::basic:
      return "basic";
    case auth_type::none:
      return "none";
  }
  return "none";
}

role settings::role_or_default(const std::string& name) const {
  if (auto i = roles.find(name); i != roles.end())
    return i->second;
  role r;
  r.name = name;
  r.model = defaults.model;
  r.fallbacks = defaults.fallbacks;
  return r;
}

std::vector<std::string> settings::secrets() const {
  std::vector<std::string> out;
  auto add = [&](const std::string& secret) {
    if (!secret.empty())
      out.push_back(secret);
  };
  // Every spelling an upstream may echo (base64 of user:password, ?key=...).
  for (const auto& [name, p] : providers)
    for (auto& form : secret_forms(p))
      out.push_back(std::move(form));
  for (const auto& [name, n] : nodes)
    add(n.tls.passphrase);
  add(server.tls.passphrase);
  add(context.fetch.reader.api_key);
  add(context.qdrant.api_key);
  normalize_secrets(out);
  return out;
}

} // namespace et::config
