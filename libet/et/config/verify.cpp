// The `verify` section: how `et run --verify` runs the model-written code it checks.
#include <algorithm>
#include <cctype>

#include "et/config/detail/sections.hpp"
#include "et/config/paths.hpp"

namespace et::config {

std::string_view to_string(sandbox_mode m) {
  switch (m) {
    case sandbox_mode::automatic:
      return "auto";
    case sandbox_mode::on:
      return "on";
    case sandbox_mode::off:
      return "off";
  }
  return "auto";
}

namespace detail {

namespace {

bool is_variable_name(const std::string& name) {
  auto word = [](char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); };
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]))
         && std::all_of(name.begin(), name.end(), word);
}

// True when the variable's value carries a configured secret: listing it would hand an API
// key to model-written code, so it is refused here (and dropped again when verify runs).
bool holds_secret(const reader& r, const std::string& name, const settings& s) {
  auto value = r.env() ? r.env()(name) : std::nullopt;
  if (!value || value->empty())
    return false;
  auto secrets = s.secrets();
  return std::any_of(secrets.begin(), secrets.end(), [&](const std::string& secret) {
    return value->find(secret) != std::string::npos;
  });
}

// `verify.read_only`: what the sandbox shows besides its allow list. Never the whole machine,
// a home or the host's private folders, which the allow list keeps from model-written code.
void read_shown(reader& r, const located& at, std::vector<std::string>& out) {
  if (!at.node.IsDefined())
    return;
  auto home = r.env() ? r.env()("HOME") : std::nullopt;
  auto items = at.node.IsScalar() ? std::vector<located>{at} : r.elements(at);
  for (const auto& item : items) {
    auto text = r.text(item);
    if (!text)
      continue;
    std::filesystem::path p = resolve_path(r.file(), *text, r.env());
    if (p.filename().empty() && p != p.root_path()) // "/srv/tools/" is "/srv/tools"
      p = p.parent_path();
    auto why = text->empty() ? std::string{"expected a path"}
                             : refused_read_only(p, home ? std::filesystem::path{*home} : "");
    if (!why.empty())
      r.error(item.node, item.path, text->empty() ? why : "\"" + *text + "\" " + why);
    else if (std::find(out.begin(), out.end(), p.string()) == out.end())
      out.push_back(p.string());
  }
}

// `verify.limits`: whole numbers, 0 for no bound.
void read_limits(reader& r, const located& at, verify::limits_section& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"processes", "file_mib", "memory_mib"});
  constexpr int64_t most = int64_t{1} << 30; // of processes or MiB: beyond any machine
  for (auto [key, field] :
       {std::pair{"processes", &out.processes}, std::pair{"file_mib", &out.file_mib},
        std::pair{"memory_mib", &out.memory_mib}})
    if (auto n = r.integer(r.child(at, key), 0, most))
      *field = *n;
}

} // namespace

void read_verify(reader& r, const located& at, settings& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"sandbox", "env", "read_only", "limits"});
  read_shown(r, r.child(at, "read_only"), out.verify.read_only);
  read_limits(r, r.child(at, "limits"), out.verify.limits);
  auto sandbox_at = r.child(at, "sandbox");
  if (sandbox_at.node.IsDefined()) {
    // yaml-cpp reads a bare on/off as a boolean; both spellings mean the mode.
    auto text = sandbox_at.node.IsScalar() ? sandbox_at.node.Scalar() : std::string{};
    if (text == "auto")
      out.verify.sandbox = sandbox_mode::automatic;
    else if (text == "on" || text == "true" || text == "yes")
      out.verify.sandbox = sandbox_mode::on;
    else if (text == "off" || text == "false" || text == "no")
      out.verify.sandbox = sandbox_mode::off;
    else
      r.error(sandbox_at.node, sandbox_at.path, "expected auto, on or off");
  }
  auto env_at = r.child(at, "env");
  if (!env_at.node.IsDefined())
    return;
  auto items = env_at.node.IsScalar() ? std::vector<located>{env_at} : r.elements(env_at);
  for (const auto& item : items) {
    auto name = r.text(item);
    if (!name)
      continue;
    if (!is_variable_name(*name))
      r.error(item.node, item.path, "\"" + *name + "\" is not an environment variable name");
    else if (holds_secret(r, *name, out))
      r.error(item.node, item.path,
              *name + " holds a configured secret; it is never passed to verify commands");
    else if (std::find(out.verify.env.begin(), out.verify.env.end(), *name) == out.verify.env.end())
      out.verify.env.push_back(*name);
  }
}

} // namespace detail

} // namespace et::config
