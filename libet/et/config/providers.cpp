// The `providers` section: endpoints, authentication and the mock provider.
#include "et/config/detail/sections.hpp"

#include "et/util/http_syntax.hpp"
#include "et/util/text.hpp"
#include "et/util/url.hpp"

namespace et::config::detail {

namespace {

const std::vector<std::string> type_names{"openai", "anthropic", "ollama", "gemini", "mock"};

std::optional<provider_type> parse_type(const std::string& s) {
  for (size_t i = 0; i < type_names.size(); ++i)
    if (type_names[i] == s)
      return static_cast<provider_type>(i);
  return std::nullopt;
}

std::string default_base_url(provider_type t) {
  switch (t) {
    case provider_type::openai:
      return "https://api.openai.com/v1";
    case provider_type::anthropic:
      return "https://api.anthropic.com";
    case provider_type::ollama:
      return "http://localhost:11434";
    case provider_type::gemini:
      return "https://generativelanguage.googleapis.com";
    case provider_type::mock:
      return "";
  }
  return "";
}

// Hosted APIs reject every request without a key, so a missing one is a
// configuration error rather than a run-time surprise. Self-hosted
// OpenAI-compatible and local Ollama servers usually need none.
bool needs_key(const provider& p, const std::optional<url>& u) {
  if (p.type == provider_type::anthropic || p.type == provider_type::gemini)
    return true;
  if (!u)
    return false;
  if (p.type == provider_type::openai)
    return u->host == "api.openai.com";
  if (p.type == provider_type::ollama)
    return u->host == "ollama.com" || u->host == "api.ollama.com";
  return false;
}

void read_fault(reader& r, const located& at, mock_fault& f) {
  r.check_keys(at, {"error", "on_calls", "probability", "retry_after", "message", "unsent"});
  if (auto e = r.text(r.child(at, "error"))) {
    if (auto code = errc_from_string(*e))
      f.error = *code;
    else
      r.error(get(at.node, "error"), at.path + ".error",
              "unknown error class \"" + *e
                  + "\" (e.g. rate_limited, overloaded, "
                    "server_error, timeout, network, context_overflow, auth)");
  } else {
    r.error(at.node, at.path, "a fault needs an error class (key \"error\")");
  }
  for (const auto& e : r.elements(r.child(at, "on_calls")))
    if (auto n = r.integer(e, 1, 1'000'000'000))
      f.on_calls.push_back(*n);
  f.probability = r.number(r.child(at, "probability"), 0, 1).value_or(0);
  f.retry_after = r.duration(r.child(at, "retry_after"), true).value_or(milliseconds{0});
  f.message =
      r.text(r.child(at, "message")).value_or("injected " + std::string{to_string(f.error)});
  f.unsent = r.boolean(r.child(at, "unsent")).value_or(false);
  if (f.on_calls.empty() && f.probability == 0)
    r.error(at.node, at.path, "a fault needs on_calls or a probability above 0");
}

void read_mock(reader& r, const located& at, mock_settings& m) {
  if (!r.expect_map(at))
    return;
  r.check_keys(
      at, {"mode", "text", "script", "latency", "tokens_per_second", "faults", "seed", "models"});
  m.mode = r.text(r.child(at, "mode")).value_or("echo");
  if (m.mode != "echo" && m.mode != "fixed" && m.mode != "script")
    r.error(get(at.node, "mode"), at.path + ".mode",
            "unknown mode \"" + m.mode + "\" (echo, fixed or script)");
  m.text = r.text(r.child(at, "text")).value_or("");
  for (const auto& e : r.elements(r.child(at, "script"))) {
    r.check_keys(e, {"model", "match", "reply"});
    mock_rule rule;
    rule.model = r.text(r.child(e, "model")).value_or("");
    rule.match = r.text(r.child(e, "match")).value_or("");
    if (auto reply = r.text(r.child(e, "reply")))
      rule.reply = *reply;
    else
      r.error(e.node, e.path, "a script rule needs a reply");
    m.script.push_back(std::move(rule));
  }
  if (m.mode == "fixed" && m.text.empty())
    r.error(at.node, at.path, "mode fixed needs a text");
  if (m.mode == "script" && m.script.empty())
    r.error(at.node, at.path, "mode script needs at least one script rule");
  m.latency = r.duration(r.child(at, "latency"), true).value_or(milliseconds{0});
  m.tokens_per_second = r.number(r.child(at, "tokens_per_second"), 0, 1e9).value_or(0);
  for (const auto& e : r.elements(r.child(at, "faults"))) {
    mock_fault f;
    read_fault(r, e, f);
    m.faults.push_back(std::move(f));
  }
  m.seed = static_cast<uint64_t>(r.integer(r.child(at, "seed"), 0, INT64_MAX).value_or(1));
  m.models = r.string_list(r.child(at, "models"));
}

void read_auth(reader& r, const located& at, provider& p, const std::optional<url>& u) {
  auto key_at = r.child(at, "api_key");
  std::vector<std::string> unset;
  auto key = r.header_value(key_at);
  if (key) {
    p.api_key = key->text;
    p.api_key_source = key_at.node.Scalar();
    unset = key->unset;
  }
  // A key given that cannot be used was reported as such: not "required" on top of it.
  bool key_refused = key_at.node.IsDefined() && !key_at.node.IsNull() && !key;
  auto auth_at = r.child(at, "auth_type");
  auto auth = r.text(auth_at);
  if (auth && *auth == "bearer")
    p.auth = auth_type::bearer;
  else if (auth && *auth == "basic")
    p.auth = auth_type::basic;
  else if (auth && *auth == "none")
    p.auth = auth_type::none;
  else if (auth)
    r.error(auth_at.node, auth_at.path,
            "unknown auth_type \"" + *auth + "\" (bearer, basic or none)");
  else
    p.auth = p.api_key.empty() ? auth_type::none : auth_type::bearer;

  bool header_auth = p.type == provider_type::anthropic || p.type == provider_type::gemini;
  if (auth && *auth == "basic" && header_auth)
    r.error(auth_at.node, auth_at.path,
            "basic auth is only supported for openai and ollama providers");
  bool wants_key = needs_key(p, u) || (auth && *auth != "none");
  // Part of a key is a wrong key ("admin:Pa$sw0rd" read as "admin:Pa" and $sw0rd).
  if (!p.api_key.empty() && !unset.empty())
    r.error(key_at.node, key_at.path,
            "environment variable " + unset.front()
                + " is not set (the API key names it; write $$ for a literal $)");
  if (p.api_key.empty() && wants_key && p.type != provider_type::mock && !key_refused) {
    if (!unset.empty())
      r.credential_error(key_at.node, key_at.path,
                         "environment variable " + unset.front() + " is not set (the "
                             + std::string{to_string(p.type)} + " provider needs an API key)");
    else
      r.error(key_at.node.IsDefined() ? key_at.node : at.node, key_at.path,
              "an API key is required for this provider (e.g. api_key: $"
                  + std::string{p.type == provider_type::anthropic ? "ANTHROPIC_API_KEY"
                                : p.type == provider_type::gemini  ? "GEMINI_API_KEY"
                                                                   : "API_KEY"}
                  + ")");
  }
  // Never echo the key: the message only says what shape is expected.
  if (p.auth == auth_type::basic && !p.api_key.empty() && p.api_key.find(':') == std::string::npos)
    r.error(key_at.node, key_at.path, "auth_type basic needs an api_key shaped user:password");
}

void read_provider(reader& r, const std::string& name, const located& at, provider& p,
                   const settings& s) {
  p.name = name;
  if (!r.expect_map(at))
    return;
  r.check_keys(at, {"type", "base_url", "api_key", "auth_type", "org", "headers", "timeouts", "tls",
                    "max_connections", "anthropic_version", "mock"});
  auto type_at = r.child(at, "type");
  if (auto t = r.text(type_at)) {
    if (auto parsed = parse_type(*t)) {
      p.type = *parsed;
    } else {
      std::string msg = "unknown provider type \"" + *t + "\"";
      if (auto guess = nearest(*t, type_names))
        msg += "; did you mean \"" + *guess + "\"?";
      else
        msg += " (openai, anthropic, ollama, gemini or mock)";
      r.error(type_at.node, type_at.path, std::move(msg));
      return; // what else it needs (a key, a URL) depends on the type: one error is enough
    }
  } else if (!type_at.node.IsDefined() || type_at.node.IsNull()) { // else text() reported it
    r.error(at.node, type_at.path,
            "missing provider type (openai, anthropic, ollama, gemini or mock)");
  }
  auto url_at = r.child(at, "base_url");
  p.base_url = r.text(url_at).value_or(default_base_url(p.type));
  std::optional<url> parsed;
  if (p.type != provider_type::mock) {
    auto u = parse_url(p.base_url);
    if (u)
      parsed = *u;
    else
      r.error(url_at.node.IsDefined() ? url_at.node : at.node, url_at.path, u.error().message);
  }
  read_auth(r, at, p, parsed);
  if (auto org = r.header_value(r.child(at, "org"))) // sent as OpenAI-Organization
    p.org = org->text;
  // A header may carry a credential: its value is never quoted in a message, and a variable
  // it names that is unset is an error, not "Bearer " sent to be refused as a bad key later.
  for (const auto& [k, v] : r.entries(r.child(at, "headers")))
    if (auto value = r.header_value(v)) {
      auto header = k.node.as<std::string>();
      if (!is_http_token(header))
        r.error(k.node, v.path,
                "a header name is letters, digits and !#$%&'*+-.^_`|~ only (RFC 9110)");
      else if (!value->unset.empty())
        r.credential_error(v.node, v.path,
                           "environment variable " + value->unset.front() + " is not set (header "
                               + header + " names it; write $$ for a literal $)");
      p.headers[header] = std::move(value->text);
    }
  p.timeout = s.timeouts;
  read_timeouts(r, r.child(at, "timeouts"), p.timeout);
  auto tls_at = r.child(at, "tls");
  if (r.expect_map(tls_at)) {
    r.check_keys(tls_at, {"ca_file", "verify"});
    if (auto ca = r.text(r.child(tls_at, "ca_file")))
      p.tls.ca_file = resolve_path(r.file(), *ca, r.env());
    p.tls.verify = r.boolean(r.child(tls_at, "verify")).value_or(true);
  }
  p.max_connections =
      static_cast<int>(r.integer(r.child(at, "max_connections"), 1, 4096).value_or(16));
  auto version = r.header_value(r.child(at, "anthropic_version")); // sent as a header
  p.anthropic_version = version ? version->text : "2023-06-01";
  auto mock_at = r.child(at, "mock");
  if (mock_at.node.IsDefined() && p.type != provider_type::mock)
    r.error(mock_at.node, mock_at.path, "mock settings only apply to providers of type mock");
  read_mock(r, mock_at, p.mock);
}

} // namespace

void read_providers(reader& r, const located& at, settings& out) {
  for (const auto& [key, value] : r.entries(at)) {
    auto name = key.node.as<std::string>();
    read_provider(r, name, value, out.providers[name], out);
  }
}

} // namespace et::config::detail
