#include "et/config/settings.hpp"

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

namespace {

bool names_credential(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (auto part : {"auth", "key", "token", "secret", "cookie", "password"})
    if (name.find(part) != std::string::npos)
      return true;
  return false;
}

} // namespace

std::vector<std::string> settings::secrets() const {
  std::vector<std::string> out;
  auto add = [&](const std::string& secret) {
    if (!secret.empty())
      out.push_back(secret);
  };
  for (const auto& [name, p] : providers) {
    add(p.api_key);
    // Headers may carry credentials too (Authorization for a proxy in front of
    // Ollama); only those named like one, so that "X-Title: et" scrubs nothing.
    for (const auto& [header, value] : p.headers)
      if (names_credential(header))
        add(value);
  }
  for (const auto& [name, n] : nodes)
    add(n.tls.passphrase);
  add(server.tls.passphrase);
  return out;
}

} // namespace et::config
