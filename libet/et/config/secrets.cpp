#include "et/config/secrets.hpp"

#include <algorithm>
#include <cctype>

#include "et/util/encode.hpp"
#include "et/util/text.hpp"
#include "et/util/url.hpp"

namespace et::config {

namespace {

constexpr size_t min_derived = 4;

void add_encodings(std::vector<std::string>& out, std::string_view s) {
  if (s.size() < min_derived)
    return;
  out.emplace_back(s);
  // A base64 text without its padding is a prefix of the padded one and also
  // matches an echo that dropped the '='.
  auto b64 = base64(s);
  while (!b64.empty() && b64.back() == '=')
    b64.pop_back();
  out.push_back(std::move(b64));
  out.push_back(percent_encode(s));
  out.push_back(json_escape(s));
  // Hexadecimal, as a debugging upstream or proxy may dump the header's bytes.
  for (const char* digits : {"0123456789abcdef", "0123456789ABCDEF"}) {
    std::string hex;
    for (unsigned char c : s) {
      hex += digits[c >> 4];
      hex += digits[c & 0xF];
    }
    out.push_back(std::move(hex));
  }
  if (s.find('/') != std::string_view::npos) { // some encoders escape '/' as well
    std::string slashed;
    for (char c : json_escape(s)) {
      if (c == '/')
        slashed += '\\';
      slashed += c;
    }
    out.push_back(std::move(slashed));
  }
}

} // namespace

bool names_credential(std::string_view name) {
  std::string lower{name};
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (auto part : {"auth", "key", "token", "secret", "cookie", "password"})
    if (lower.find(part) != std::string::npos)
      return true;
  return false;
}

void add_secret_forms(std::vector<std::string>& out, std::string_view secret) {
  if (secret.empty())
    return;
  out.emplace_back(secret); // always, however short
  add_encodings(out, secret);
  // A basic-auth key is "user:password": the password alone is a secret too.
  if (auto colon = secret.find(':'); colon != std::string_view::npos)
    add_encodings(out, secret.substr(colon + 1));
  // A header value "Bearer x" or "Basic x": the credential after the scheme.
  if (auto space = secret.rfind(' '); space != std::string_view::npos)
    add_encodings(out, secret.substr(space + 1));
}

void normalize_secrets(std::vector<std::string>& secrets) {
  std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
  secrets.erase(std::remove(secrets.begin(), secrets.end(), std::string{}), secrets.end());
}

std::vector<std::string> secret_forms(const provider& p) {
  std::vector<std::string> out;
  add_secret_forms(out, p.api_key);
  // Headers may carry credentials too (Authorization for a proxy in front of
  // Ollama, api-key for Azure); only those named like one, so that
  // "X-Title: et" scrubs nothing.
  for (const auto& [header, value] : p.headers)
    if (names_credential(header))
      add_secret_forms(out, value);
  normalize_secrets(out);
  return out;
}

namespace {

// Whether `host` is this machine: a loopback address, or "localhost" and names under it
// (RFC 6761; they are the usual way to write a local Ollama or vLLM).
bool local_host(const std::string& host) {
  auto name = ascii_lower(host);
  return is_loopback(host) || name == "localhost" || name.ends_with(".localhost");
}

// The host of `address` when it is plain http to a host that is not this machine; "" otherwise.
std::string plaintext_host(const std::string& address) {
  auto u = parse_url(address);
  return u && !u->tls() && !local_host(u->host) ? u->host : std::string{};
}

} // namespace

std::vector<std::string> plaintext_secret_warnings(const settings& s) {
  std::vector<std::string> out;
  auto check = [&](const std::string& where, const std::string& address, bool has_secret) {
    if (auto host = plaintext_host(address); has_secret && !host.empty())
      out.push_back(where + ": its key goes over plain http to " + host
                    + "; anyone on the network path can read it (use https)");
  };
  for (const auto& [name, p] : s.providers)
    if (p.type != provider_type::mock)
      check("providers." + name, p.base_url, !secret_forms(p).empty());
  check("context.qdrant", s.context.qdrant.url, !s.context.qdrant.api_key.empty());
  check("context.fetch.reader", s.context.fetch.reader.base_url,
        !s.context.fetch.reader.api_key.empty());
  return out;
}

} // namespace et::config
