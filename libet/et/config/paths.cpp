#include "et/config/paths.hpp"

#include "et/util/paths.hpp"

#include <cerrno>
#include <utility>
#include <vector>

#include <pwd.h>
#include <unistd.h>

namespace et::config {

std::filesystem::path state_dir(const settings& s, const env_lookup& env) {
  if (!s.defaults.state_dir.empty())
    return s.defaults.state_dir;
  if (auto xdg = env("XDG_STATE_HOME"); xdg && !xdg->empty())
    return std::filesystem::path{*xdg} / "electrictown";
  auto home = env("HOME");
  return std::filesystem::path{home ? *home : "."} / ".local" / "state" / "electrictown";
}

std::filesystem::path ledger_file(const settings& s, const env_lookup& env) {
  return state_dir(s, env) / "ledger.sqlite";
}

std::filesystem::path runs_dir(const settings& s, const env_lookup& env) {
  if (!s.defaults.runs_dir.empty())
    return s.defaults.runs_dir;
  return state_dir(s, env) / "runs";
}

namespace fs = std::filesystem;

std::string refused_output_dir(const fs::path& output_dir, const settings& s, const env_lookup& env,
                               const fs::path& unchecked_config) {
  auto out = resolved_path(output_dir);
  if (!unchecked_config.empty() && lies_within(resolved_path(unchecked_config), out))
    return "it holds the config file " + resolved_path(unchecked_config).string()
           + " (given with --config, so read without a trust check)";
  auto home = env("HOME");
  if (home && !home->empty() && lies_within(resolved_path(*home), out))
    return "it is or holds the home folder " + resolved_path(*home).string();
  std::vector<std::pair<fs::path, const char*>> own{
      {state_dir(s, env), "et's state dir"},
      {runs_dir(s, env), "et's runs dir"},
      {state_dir(settings{}, env), "et's default state dir (trusted configs, seals)"}};
  if (auto xdg = env("XDG_CONFIG_HOME"); xdg && !xdg->empty())
    own.emplace_back(fs::path{*xdg} / "electrictown", "et's config folder");
  else if (home && !home->empty())
    own.emplace_back(fs::path{*home} / ".config" / "electrictown", "et's config folder");
  if (home && !home->empty()) // what a file written there would grant: logins, code on PATH
    for (const char* dir : {".ssh", ".gnupg", ".local/bin"})
      own.emplace_back(fs::path{*home} / dir, "a folder of your home that grants access");
  for (const auto& [dir, what] : own) {
    auto mine = resolved_path(dir);
    if (lies_within(mine, out))
      return "it holds " + std::string{what} + " " + mine.string();
    if (lies_within(out, mine))
      return "it is inside " + std::string{what} + " " + mine.string();
  }
  // The verify sandbox binds it writable over its private /tmp or beside what it keeps out.
  if (auto why = refused_read_only(out, home ? fs::path{*home} : fs::path{}); !why.empty())
    return "it " + why;
  return {};
}

namespace {

// The home of this process's user from the password database ("" when it has none), looked up
// once: it may ask a directory service (LDAP, sssd).
const fs::path& account_home() {
  static const fs::path home = [] {
    auto size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
    struct passwd pw {};
    struct passwd* found = nullptr;
    int rc = 0;
    while ((rc = ::getpwuid_r(::getuid(), &pw, buf.data(), buf.size(), &found)) == ERANGE
           && buf.size() < (size_t{1} << 20))
      buf.resize(buf.size() * 2);
    return rc == 0 && found && pw.pw_dir ? fs::path{pw.pw_dir} : fs::path{};
  }();
  return home;
}

// Whether `folder` (in /tmp, /var/tmp) directly holds a socket: tmux's, an ssh agent's, X11's.
bool holds_socket(const fs::path& folder) {
  std::error_code ec;
  size_t seen = 0;
  for (fs::directory_iterator it{folder, ec}, end; !ec && it != end && ++seen <= 4096;
       it.increment(ec))
    if (std::error_code type_ec; it->symlink_status(type_ec).type() == fs::file_type::socket)
      return true;
  return false;
}

// Whether `outer` is `inner` or holds it, as written or with links resolved.
bool holds(const fs::path& outer, const fs::path& inner) {
  return lies_within(inner, outer) || lies_within(resolved_path(inner), resolved_path(outer));
}

} // namespace

std::string refused_read_only(const fs::path& folder, const fs::path& home) {
  auto p = folder.lexically_normal();
  if (p == p.root_path() || resolved_path(p) == resolved_path(p).root_path())
    return "would show the whole machine";
  std::vector<fs::path> homes{home, "/home", "/var/home", "/root", account_home()};
  for (const auto& h : homes)
    if (!h.empty() && h.is_absolute() && holds(p, h))
      return h == home ? "would show your whole home; list the folders in it the command needs"
                       : "would show the home folder " + h.string();
  for (const char* own : {"/tmp", "/var/tmp", "/run", "/var/run", "/dev", "/proc"})
    if (holds(p, own))
      return std::string{"would show the host's "} + own + ", which the sandbox keeps private";
  auto real = resolved_path(p);
  auto inside = [&](const char* private_folder) {
    return lies_within(p, private_folder) || lies_within(real, private_folder);
  };
  for (const char* host : {"/dev", "/proc", "/run", "/var/run"})
    // NixOS puts its programs under /run: its system profile and setuid wrappers.
    if (inside(host) && !inside("/run/current-system") && !inside("/run/wrappers"))
      return std::string{"lies inside the host's "} + host + ", which the sandbox keeps private";
  if ((inside("/tmp") || inside("/var/tmp")) && holds_socket(real))
    return "holds a socket (tmux's, an ssh agent's...), which a read-only folder still connects";
  return {};
}

} // namespace et::config
