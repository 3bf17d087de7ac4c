#include "et/config/loader.hpp"

#include <algorithm>
#include <fstream>
#include <tuple>

#include "et/config/detail/bounds.hpp"
#include "et/config/detail/sections.hpp"

namespace et::config {

namespace {

using detail::get;
using detail::located;

void read_all(detail::reader& r, const YAML::Node& root, settings& s) {
  located top{root, ""};
  if (!root.IsMap()) {
    r.error(root, "", "expected a mapping with providers, models and roles at the top level");
    return;
  }
  r.check_keys(top, {"providers", "models", "roles", "defaults", "specialists", "retry", "timeouts",
                     "cooldown", "supervision", "pricing", "budgets", "nodes", "server", "network",
                     "agents", "verify", "context"});
  // Provider timeouts start from the global section, so it is read first.
  detail::read_timeouts(r, {get(root, "timeouts"), "timeouts"}, s.timeouts);
  detail::read_providers(r, {get(root, "providers"), "providers"}, s);
  detail::read_models(r, {get(root, "models"), "models"}, s);
  detail::read_roles(r, {get(root, "roles"), "roles"}, s.roles, false);
  detail::read_roles(r, {get(root, "specialists"), "specialists"}, s.specialists, true);
  detail::read_defaults(r, {get(root, "defaults"), "defaults"}, s.defaults);
  detail::read_policies(r, root, s);
  detail::read_network(r, root, s);
  detail::read_agents(r, {get(root, "agents"), "agents"}, s);
  detail::read_verify(r, {get(root, "verify"), "verify"}, s);
  detail::read_context(r, {get(root, "context"), "context"}, s);
  detail::validate(r, root, s);
}

// Each `value` in `text` becomes its `reference`, longest values first.
void replace_values(std::string& text,
                    const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [value, reference] : values)
    for (auto at = text.find(value); at != std::string::npos;
         at = text.find(value, at + reference.size()))
      text.replace(at, value.size(), reference);
}

// A diagnostic quotes values after expansion, so `listen: ${OPENAI_API_KEY}x` would print the
// key (found by fuzz/config). Every value the environment gave (4 bytes or more: shorter ones
// would garble messages) is shown as the reference that produced it, in the message and in the
// key path alike (a key is the file's own text, but one that spells out a secret, as a key
// pasted one line too far, must not print it either).
void hide_env_values(std::vector<diagnostic>& diagnostics,
                     std::vector<std::pair<std::string, std::string>> values) {
  std::sort(values.begin(), values.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (auto& d : diagnostics) {
    replace_values(d.message, values);
    replace_values(d.path, values);
  }
}

} // namespace

load_outcome check_string(std::string_view yaml, const std::string& file, const env_lookup& env) {
  load_outcome out;
  out.value.source = file;
  if (auto crossed = detail::check_bounds(yaml, file)) {
    out.diagnostics.push_back(std::move(*crossed));
    return out;
  }
  std::vector<std::pair<std::string, std::string>> env_values; // value, "${NAME}"
  env_lookup recording = [&env, &env_values](const std::string& name) {
    auto value = env(name);
    if (value && value->size() >= 4)
      env_values.emplace_back(*value, "${" + name + "}");
    return value;
  };
  detail::reader r{file, recording, out.diagnostics};
  YAML::Node root;
  try {
    root = YAML::Load(std::string{yaml});
  } catch (const YAML::Exception& e) {
    out.diagnostics.push_back(
        {file, e.mark.line + 1, e.mark.column + 1, "", "invalid YAML: " + e.msg});
    return out;
  }
  if (!root.IsDefined() || root.IsNull()) {
    out.diagnostics.push_back({file, 0, 0, "", "the file is empty"});
    return out;
  }
  try {
    read_all(r, root, out.value);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on conversions we did not anticipate (e.g. a mapping
    // used as a key); report it at its mark rather than crash.
    out.diagnostics.push_back({file, e.mark.line + 1, e.mark.column + 1, "", e.msg});
  }
  hide_env_values(out.diagnostics, std::move(env_values));
  // Sections are read in dependency order and references checked last; the
  // reader of the report wants them in the order of the file.
  std::stable_sort(out.diagnostics.begin(), out.diagnostics.end(),
                   [](const diagnostic& a, const diagnostic& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  return out;
}

namespace {

// The file's bytes into `text`; the problem ("" when none) otherwise.
std::string read_bounded(const std::filesystem::path& file, std::string& text) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return "cannot read the file";
  text.assign(detail::max_file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad())
    return "cannot read the file";
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > detail::max_file_bytes)
    return "larger than " + std::to_string(detail::max_file_bytes >> 20)
           + " MiB; a configuration file is not that big";
  return {};
}

} // namespace

result<std::string> read_config(const std::filesystem::path& file) {
  std::string text;
  if (auto problem = read_bounded(file, text); !problem.empty())
    return make_failure(errc::invalid_config, file.string() + ": " + problem);
  return text;
}

load_outcome check_file(const std::filesystem::path& file, const env_lookup& env) {
  std::string text;
  if (auto problem = read_bounded(file, text); !problem.empty()) {
    load_outcome out;
    out.diagnostics.push_back({file.string(), 0, 0, "", std::move(problem)});
    return out;
  }
  return check_string(text, file.string(), env);
}

result<settings> load_file(const std::filesystem::path& file, const env_lookup& env) {
  auto out = check_file(file, env);
  if (!out.ok())
    return make_failure(errc::invalid_config, to_string(out.diagnostics.front()));
  return std::move(out.value);
}

} // namespace et::config
