#include "et/session/env_file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "et/util/private_files.hpp"

namespace et::session {

namespace fs = std::filesystem;

namespace {

bool is_name(const std::string& key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0])))
    return false;
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}

std::string single_quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value)
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

// Runs in the pane: $0 is a label, $1 the file, the rest the command. The
// file goes before the command runs, so the secret lives on disk only
// until the agent starts.
constexpr const char* loader_script =
    "f=$1; shift; . \"$f\"; rm -f \"$f\"; rmdir \"${f%/*}\"; exec \"$@\"";

} // namespace

result<std::string> env_script(const env_vars& env) {
  std::string out;
  for (const auto& [key, value] : env) {
    if (!is_name(key))
      return make_failure(errc::invalid_input,
                          "\"" + key + "\" is not a valid environment variable name");
    if (value.find('\0') != std::string::npos)
      return make_failure(errc::invalid_input, "the value of " + key + " contains a NUL byte");
    out += "export " + key + "=" + single_quoted(value) + "\n";
  }
  return out;
}

result<fs::path> write_env_file(const fs::path& parent, const env_vars& env) {
  auto script = env_script(env);
  if (!script)
    return script.error();
  // The state dir's folders are private (0700), those made here too.
  if (auto made = make_private_dir(parent); !made)
    return made.error();
  auto pattern = (parent / "env-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) // mode 0700
    return make_failure(errc::io_error, "cannot make a private folder in " + parent.string() + ": "
                                            + std::strerror(errno));
  fs::path file = fs::path{pattern} / "env";
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && write_all(fd, *script);
  if (fd >= 0)
    ok = ::close(fd) == 0 && ok;
  if (!ok) {
    auto f = make_failure(errc::io_error, "cannot write " + file.string());
    remove_env_file(file);
    return f;
  }
  return file;
}

std::vector<std::string> with_env_file(const fs::path& file,
                                       const std::vector<std::string>& command) {
  std::vector<std::string> out{"/bin/sh", "-c", loader_script, "et-env", file.string()};
  out.insert(out.end(), command.begin(), command.end());
  return out;
}

void remove_env_file(const fs::path& file) {
  std::error_code ec;
  fs::remove(file, ec);
  fs::remove(file.parent_path(), ec);
}

} // namespace et::session
