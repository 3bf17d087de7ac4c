#include "et/config/trust.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>
#include <vector>

#include <openssl/evp.h>

#include "et/config/paths.hpp"

namespace et::config {

namespace fs = std::filesystem;

namespace {

struct record {
  std::string digest;
  std::string path;
};

result<std::string> canonical_of(const fs::path& config) {
  std::error_code ec;
  auto p = fs::canonical(config, ec);
  if (ec)
    return make_failure(errc::io_error, config.string() + ": " + ec.message());
  auto text = p.string();
  // One record per line, digest and path split at the tab.
  if (text.find_first_of("\n\t") != std::string::npos)
    return make_failure(errc::invalid_input,
                        config.string() + ": a path with a tab or line break cannot be trusted");
  return text;
}

std::vector<record> read_records(const fs::path& file) {
  std::vector<record> out;
  std::ifstream in{file, std::ios::binary};
  for (std::string line; std::getline(in, line);) {
    auto tab = line.find('\t');
    if (tab == std::string::npos)
      continue; // not a record: ignored, and dropped on the next write
    out.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return out;
}

failure io_failure(const fs::path& where, const char* what) {
  int error = errno;
  return failure{errc::io_error, "cannot " + std::string{what} + " " + where.string() + ": "
                                     + std::strerror(error)};
}

// Makes each missing directory of `dir` with mode 0700: the records say which
// files may spend the user's keys, so only the user may change them.
result<void> make_private_dirs(const fs::path& dir) {
  std::error_code ec;
  if (dir.empty() || fs::is_directory(dir, ec))
    return {};
  if (auto up = make_private_dirs(dir.parent_path()); !up)
    return up;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return io_failure(dir, "create the folder");
  return {};
}

// Writes the whole store through a temporary file and a rename, so a reader
// never sees half of it.
result<void> write_records(const fs::path& file, const std::vector<record>& records) {
  if (auto dirs = make_private_dirs(file.parent_path()); !dirs)
    return dirs;
  std::string text;
  for (const auto& r : records)
    text += r.digest + "\t" + r.path + "\n";
  auto temp = file.string() + ".XXXXXX";
  int fd = ::mkstemp(temp.data()); // mode 0600
  if (fd < 0)
    return io_failure(file, "write");
  bool ok = ::fchmod(fd, 0600) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    ok = n > 0;
    done += ok ? static_cast<size_t>(n) : 0;
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(temp.c_str(), file.c_str()) != 0) {
    auto f = io_failure(file, "write");
    ::unlink(temp.c_str());
    return f;
  }
  return {};
}

} // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1
      || EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1
      || EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1)
    return {}; // never equal to a recorded digest, so nothing is trusted
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

fs::path trust_file(const env_lookup& env) {
  return state_dir(settings{}, env) / "trusted-configs";
}

trust_store::trust_store(fs::path file) : file_(std::move(file)) {}

result<trust_verdict> trust_store::check(const fs::path& config, std::string_view bytes) const {
  auto path = canonical_of(config);
  if (!path)
    return path.error();
  auto digest = sha256_hex(bytes);
  auto verdict = trust_verdict::unknown;
  for (const auto& r : read_records(file_))
    if (r.path == *path) {
      if (!digest.empty() && r.digest == digest)
        return trust_verdict::trusted;
      verdict = trust_verdict::changed;
    }
  return verdict;
}

result<void> trust_store::trust(const fs::path& config, std::string_view bytes) const {
  auto path = canonical_of(config);
  if (!path)
    return path.error();
  auto digest = sha256_hex(bytes);
  if (digest.empty())
    return make_failure(errc::io_error, "cannot compute SHA-256 with OpenSSL");
  std::vector<record> kept;
  for (auto& r : read_records(file_))
    if (r.path != *path)
      kept.push_back(std::move(r));
  kept.push_back({digest, *path});
  return write_records(file_, kept);
}

result<bool> trust_store::untrust(const fs::path& config) const {
  auto path = canonical_of(config);
  if (!path)
    return path.error();
  auto records = read_records(file_);
  std::vector<record> kept;
  for (auto& r : records)
    if (r.path != *path)
      kept.push_back(std::move(r));
  if (kept.size() == records.size())
    return false;
  if (auto w = write_records(file_, kept); !w)
    return w.error();
  return true;
}

} // namespace et::config
