#include "et/workspace/sandbox.hpp"

#include <algorithm>
#include <system_error>

#include "et/config/paths.hpp"
#include "et/util/paths.hpp"

namespace et::workspace {

namespace fs = std::filesystem;

const std::vector<std::string>& system_folders() {
  static const std::vector<std::string> folders{
      "/usr", "/etc", "/opt", "/sys", "/nix", "/gnu", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
      "/libx32",
      // Homebrew's programs and libraries, not its var/ (databases) and etc/.
      "/home/linuxbrew/.linuxbrew/bin", "/home/linuxbrew/.linuxbrew/sbin",
      "/home/linuxbrew/.linuxbrew/lib", "/home/linuxbrew/.linuxbrew/opt",
      "/home/linuxbrew/.linuxbrew/Cellar", "/home/linuxbrew/.linuxbrew/share",
      "/home/linuxbrew/.linuxbrew/include"};
  return folders;
}

const std::vector<std::string>& system_hidden() {
  // /etc/environment: where some put API keys for every login.
  static const std::vector<std::string> hidden{"/etc/environment",
                                               "/etc/shadow",
                                               "/etc/shadow-",
                                               "/etc/gshadow",
                                               "/etc/gshadow-",
                                               "/etc/ssh",
                                               "/etc/ssl/private",
                                               "/etc/pki/tls/private",
                                               "/etc/krb5.keytab",
                                               "/etc/wireguard",
                                               "/etc/letsencrypt",
                                               "/etc/security/opasswd",
                                               "/etc/NetworkManager/system-connections",
                                               "/nix/var/nix/daemon-socket"};
  return hidden;
}

const std::vector<std::string>& home_toolchains() {
  // Package managers' caches and installs, not their settings: ~/.m2/settings.xml and
  // ~/.gradle/gradle.properties hold credentials, and a file hidden as empty breaks Maven.
  static const std::vector<std::string> folders{".cargo/bin",
                                                ".cargo/registry",
                                                ".cargo/git",
                                                ".rustup",
                                                ".pyenv",
                                                ".rbenv",
                                                ".gem/ruby",
                                                ".local/share/gem",
                                                ".nvm",
                                                ".volta",
                                                ".fnm",
                                                ".local/share/fnm",
                                                ".bun",
                                                ".deno",
                                                ".npm",
                                                ".yarn",
                                                ".local/bin",
                                                ".local/lib",
                                                ".local/share/pnpm",
                                                ".local/share/uv",
                                                ".local/share/pipx",
                                                ".local/pipx",
                                                ".local/share/mise",
                                                ".asdf",
                                                ".cache/node/corepack",
                                                "go",
                                                "sdk",
                                                ".m2/repository",
                                                ".m2/wrapper",
                                                ".gradle/caches",
                                                ".gradle/wrapper",
                                                ".gradle/jdks",
                                                ".sdkman",
                                                ".pub-cache/hosted",
                                                ".pub-cache/git",
                                                ".pub-cache/bin",
                                                ".dotnet",
                                                ".nuget/packages",
                                                ".ghcup",
                                                ".cabal/bin",
                                                ".cabal/packages",
                                                ".cabal/store",
                                                ".stack",
                                                ".elan",
                                                ".opam",
                                                ".julia/packages",
                                                ".julia/artifacts",
                                                ".julia/compiled",
                                                ".julia/registries",
                                                ".julia/environments",
                                                ".juliaup",
                                                ".nix-profile",
                                                ".conda",
                                                ".pixi",
                                                "miniconda3",
                                                "anaconda3"};
  return folders;
}

namespace {

// Relative to the home folder: the stores of secrets, some inside the toolchains shown.
const std::vector<std::string>& credential_names() {
  static const std::vector<std::string> names{".ssh",
                                              ".gnupg",
                                              ".aws",
                                              ".azure",
                                              ".kube",
                                              ".docker",
                                              ".netrc",
                                              ".git-credentials",
                                              ".pypirc",
                                              ".npmrc",
                                              ".config/gh",
                                              ".config/gcloud",
                                              ".config/hub",
                                              ".config/op",
                                              ".password-store",
                                              ".cargo/credentials.toml",
                                              ".cargo/credentials",
                                              ".terraform.d/credentials.tfrc.json",
                                              ".m2/settings.xml",
                                              ".m2/settings-security.xml",
                                              ".gradle/gradle.properties",
                                              ".gem/credentials",
                                              ".pub-cache/credentials.json",
                                              ".local/share/uv/credentials",
                                              ".stack/upload",
                                              ".dotnet/corefx/cryptography"};
  return names;
}

// A dangling symlink shows nothing, and bwrap could not mount over it.
bool exists_followed(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

// A place the sandbox shows: where the command sees it and where it really is.
struct shown {
  fs::path at;
  fs::path real;
};

// Every place where hiding `real` (resolved) takes effect in the sandbox: each place that shows
// it (a folder may be shown twice, through a link and where it really is).
std::vector<fs::path> shown_at(const std::vector<shown>& places, const fs::path& real) {
  std::vector<fs::path> out;
  for (const auto& p : places)
    if (lies_within(real, p.real))
      out.push_back((p.at / real.lexically_relative(p.real)).lexically_normal());
  return out;
}

// Whether `at` is shown already with what really is at `real`: inside a place, through no link
// that leads elsewhere.
bool shown_already(const std::vector<shown>& places, const fs::path& at, const fs::path& real) {
  return std::any_of(places.begin(), places.end(), [&](const shown& s) {
    return lies_within(at, s.at) && lies_within(real, s.real);
  });
}

// Whether `at` lies inside a place (as written), where a link on the way may lead elsewhere.
bool inside_a_place(const std::vector<shown>& places, const fs::path& at) {
  return std::any_of(places.begin(), places.end(),
                     [&](const shown& s) { return lies_within(at, s.at); });
}

// Shows each of `read_only` (parents first) where a command looks for it: at its own path, or,
// inside a place already shown through a link that leads elsewhere (/usr/local -> /var/usrlocal),
// where the link leads. Never what refused_read_only() refuses, nor inside `work`.
void add_read_only(std::vector<std::string>& args, std::vector<shown>& places,
                   std::vector<fs::path> read_only, const fs::path& work, const fs::path& home) {
  for (auto& p : read_only)
    p = p.lexically_normal();
  std::sort(read_only.begin(), read_only.end());
  for (const auto& p : read_only) {
    if (!p.is_absolute() || !exists_followed(p) || lies_within(p, work)
        || !config::refused_read_only(p, home).empty())
      continue;
    auto real = resolved_path(p);
    if (shown_already(places, p, real))
      continue;
    auto at = inside_a_place(places, p) ? real : p;
    if (at != p && shown_already(places, at, real))
      continue;
    args.insert(args.end(), {"--ro-bind", p.string(), at.string()});
    places.push_back({at, real});
  }
}

// What replaces `at`: an empty read-only folder, or an empty file.
void hide(std::vector<std::string>& args, const fs::path& at, const fs::path& real) {
  std::error_code ec;
  if (fs::is_directory(real, ec))
    args.insert(args.end(), {"--tmpfs", at.string(), "--remount-ro", at.string()});
  else
    args.insert(args.end(), {"--ro-bind", "/dev/null", at.string()});
}

// The system folders, bound read-only; a top-level link into /usr stays a link.
void add_system(std::vector<std::string>& args, std::vector<shown>& places) {
  for (const auto& folder : system_folders()) {
    std::error_code ec;
    auto st = fs::symlink_status(folder, ec);
    if (ec || !fs::exists(st))
      continue;
    // /bin, /sbin and /lib* are links into /usr on a merged-/usr system.
    bool top_link = folder == "/bin" || folder == "/sbin" || folder.rfind("/lib", 0) == 0;
    if (top_link && fs::is_symlink(st)) {
      if (auto target = fs::read_symlink(folder, ec); !ec) {
        args.insert(args.end(), {"--symlink", target.string(), folder});
        places.push_back({folder, resolved_path(folder)}); // /bin on PATH is shown already
        continue;
      }
    }
    if (!exists_followed(folder))
      continue;
    args.insert(args.end(), {"--ro-bind", folder, folder});
    places.push_back({folder, resolved_path(folder)});
  }
}

void add_tmpfs(std::vector<std::string>& args, const fs::path& at, uint64_t bytes) {
  args.insert(args.end(), {"--size", std::to_string(bytes), "--tmpfs", at.string()});
}

} // namespace

std::vector<fs::path> credential_paths(const fs::path& home) {
  std::vector<fs::path> out;
  if (home.empty() || !home.is_absolute())
    return out;
  for (const auto& name : credential_names())
    if (auto p = home / name; exists_followed(p))
      out.push_back(p);
  return out;
}

sandbox_view verify_view(const fs::path& home, std::string_view path,
                         const std::vector<fs::path>& extra, std::vector<fs::path> hidden) {
  sandbox_view view;
  auto h = home.lexically_normal();
  if (h.is_absolute() && h != h.root_path())
    view.home = h;
  if (!view.home.empty())
    for (const auto& name : home_toolchains())
      if (auto p = view.home / name; exists_followed(p))
        view.read_only.push_back(p);
  for (size_t start = 0; start <= path.size();) {
    auto end = std::min(path.find(':', start), path.size());
    fs::path folder = fs::path{std::string{path.substr(start, end - start)}}.lexically_normal();
    start = end + 1;
    // A relative entry would depend on the current folder; one holding a home would show it.
    if (!folder.is_absolute() || !exists_followed(folder)
        || !config::refused_read_only(folder, view.home).empty())
      continue;
    // A Python venv's or a conda env's bin/ runs nothing without the rest of the env.
    auto env = folder.parent_path();
    bool whole_env = folder.filename() == "bin"
                     && (exists_followed(env / "pyvenv.cfg") || exists_followed(env / "conda-meta"))
                     && config::refused_read_only(env, view.home).empty();
    view.read_only.push_back(whole_env ? env : folder);
  }
  for (const auto& p : extra)
    if (p.is_absolute())
      view.read_only.push_back(p.lexically_normal());
  auto creds = credential_paths(view.home);
  hidden.insert(hidden.end(), creds.begin(), creds.end());
  view.hidden = std::move(hidden);
  return view;
}

std::vector<std::string> sandbox_wrapper(const std::string& bwrap, const fs::path& dir,
                                         const sandbox_view& view) {
  auto work = dir.lexically_normal();
  auto d = work.string();
  std::vector<std::string> args{bwrap, "--dev", "/dev", "--proc", "/proc"};
  std::vector<shown> places;
  add_system(args, places);
  add_tmpfs(args, "/tmp", view.tmpfs_bytes);
  add_tmpfs(args, "/var/tmp", view.tmpfs_bytes);
  if (!view.home.empty()) {
    add_tmpfs(args, view.home, view.tmpfs_bytes);
    for (const auto& place : places) // a system folder in the home (Homebrew's user) stays
      if (lies_within(place.at, view.home))
        args.insert(args.end(), {"--ro-bind", place.at.string(), place.at.string()});
  }
  add_read_only(args, places, view.read_only, work, view.home);
  // Order matters: what is hidden outside `dir` before its bind, what lies inside after it.
  std::vector<std::string> inside;
  auto hidden = view.hidden;
  hidden.insert(hidden.end(), system_hidden().begin(), system_hidden().end());
  for (const auto& h : hidden) {
    auto real = resolved_path(h);
    if (!exists_followed(real) || lies_within(work, real))
      continue; // hiding it would hide the folder the command works in
    if (lies_within(real, work))
      hide(inside, real, real);
    for (const auto& at : shown_at(places, real))
      hide(args, at, real);
  }
  args.insert(args.end(), {"--bind", d, d});
  args.insert(args.end(), inside.begin(), inside.end());
  args.insert(args.end(), {"--chdir", d, "--unshare-net", "--unshare-pid", "--unshare-ipc",
                           "--new-session", "--die-with-parent", "--cap-drop", "ALL", "--"});
  return args;
}

} // namespace et::workspace
