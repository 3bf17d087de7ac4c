#include "et/workspace/verify.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include <unistd.h>

#include "et/util/text.hpp"
#include "et/workspace/command.hpp"

namespace et::workspace {

namespace fs = std::filesystem;

const std::vector<std::string>& base_verify_variables() {
  static const std::vector<std::string> names{"PATH", "HOME", "LANG", "TMPDIR"};
  return names;
}

verify_environment make_verify_environment(const std::vector<std::string>& extra,
                                           const std::vector<std::string>& secrets,
                                           const config::env_lookup& env, bool sandboxed) {
  verify_environment out;
  std::vector<std::string> names = base_verify_variables();
  for (const auto& name : extra)
    if (std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(name);
  for (const auto& name : names) {
    // The sandbox's /tmp is private and writable; the caller's TMPDIR may not be either.
    if (name == "TMPDIR" && sandboxed) {
      out.vars.push_back("TMPDIR=/tmp");
      continue;
    }
    auto value = env ? env(name) : std::nullopt;
    if (!value)
      continue;
    bool secret = std::any_of(secrets.begin(), secrets.end(), [&](const std::string& s) {
      return !s.empty() && value->find(s) != std::string::npos;
    });
    if (secret)
      out.withheld.push_back(name);
    else
      out.vars.push_back(name + "=" + *value);
  }
  return out;
}

std::string shareable_output(const std::string& output, bool truncated,
                             const std::vector<std::string>& secrets, size_t max) {
  auto text = scrub(output, secrets);
  if (text.size() > max) {
    text.erase(0, text.size() - max);
    truncated = true;
  }
  if (!truncated)
    return text;
  size_t longest = 0;
  for (const auto& s : secrets)
    longest = std::max(longest, s.size());
  // A secret cut at the start leaves at most all but its first byte.
  text.erase(0, std::min(text.size(), longest > 0 ? longest - 1 : 0));
  return "..." + text;
}

namespace {

std::string find_bwrap() {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::string p = path;
    for (size_t start = 0; start <= p.size();) {
      auto end = p.find(':', start);
      if (end == std::string::npos)
        end = p.size();
      if (end > start)
        dirs.push_back(p.substr(start, end - start));
      start = end + 1;
    }
  }
  dirs.insert(dirs.end(), {"/usr/bin", "/bin"});
  for (const auto& d : dirs) {
    auto candidate = fs::path{d} / "bwrap";
    // Only absolute directories: a relative PATH entry would depend on the current one.
    if (candidate.is_absolute() && ::access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
  }
  return {};
}

std::string first_line(const std::string& text) {
  auto line = text.substr(0, text.find('\n'));
  return line.empty() ? "no output" : line;
}

} // namespace

std::string userns_hint(const fs::path& apparmor_switch) {
  std::ifstream in{apparmor_switch};
  char value[2] = {};
  if (!in.read(value, 2) && in.gcount() < 1) // "1\n" or "0\n": two bytes are all it takes
    return {};
  if (value[0] != '1' || (in.gcount() == 2 && value[1] != '\n'))
    return {};
  return " (AppArmor keeps unprivileged user namespaces from programs without a profile "
         "allowing them, as Ubuntu 23.10 and later do: give bwrap such a profile, or set "
         "kernel.apparmor_restrict_unprivileged_userns=0)";
}

namespace {

sandbox_probe run_probe() {
  sandbox_probe out;
  auto bwrap = find_bwrap();
  if (bwrap.empty()) {
    out.problem = "bwrap (bubblewrap) is not installed";
    return out;
  }
  std::error_code ec;
  auto dir = fs::temp_directory_path(ec);
  if (ec)
    dir = "/tmp";
  command_spec spec{"true", dir, std::chrono::seconds{10}, 4096};
  spec.env = std::vector<std::string>{"PATH=/usr/bin:/bin"};
  spec.wrapper = sandbox_wrapper(bwrap, fs::absolute(dir));
  auto ran = run_command(spec);
  if (!ran)
    out.problem = bwrap + ": " + ran.error().message;
  else if (!ran->passed())
    out.problem = bwrap + " does not run here: " + first_line(ran->output)
                  + userns_hint("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  else
    out.bwrap = bwrap;
  return out;
}

} // namespace

const sandbox_probe& probe_sandbox() {
  static const sandbox_probe probe = run_probe();
  return probe;
}

sandbox_choice choose_sandbox(config::sandbox_mode mode, const sandbox_probe& probe) {
  sandbox_choice out;
  if (mode == config::sandbox_mode::off)
    return out;
  if (probe.works()) {
    out.bwrap = probe.bwrap;
    return out;
  }
  if (mode == config::sandbox_mode::on)
    out.refusal = "the verify sandbox cannot run here (" + probe.problem
                  + "), and verify runs model-written code only in it: install bubblewrap "
                    "(scripts/install-deps; Debian 12's 0.8 has every option et uses) where user "
                    "namespaces are allowed, or give --sandbox off (verify.sandbox: off) to run "
                    "it unconfined";
  else
    out.note =
        "verify runs without a sandbox (" + probe.problem + "), as verify.sandbox: auto allows";
  return out;
}

} // namespace et::workspace
