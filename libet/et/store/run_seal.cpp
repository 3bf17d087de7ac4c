#include "et/store/run_seal.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>

#include "et/util/private_files.hpp"
#include "et/util/unique_fd.hpp"

namespace et::store {

namespace {

constexpr std::size_t key_bytes = 32;

// Each field with its length first: no two headers give the same bytes.
void add(std::string& out, std::string_view field) {
  out += std::to_string(field.size()) + ":";
  out += field;
}

// The shortest text that reads back as `d`: one double, one text.
std::string shortest(double d) {
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, d).ptr;
  return std::string(buf, end);
}

std::string sealed_bytes(const run_header& h) {
  std::string out;
  for (std::string_view f : {std::string_view{h.task}, std::string_view{h.config},
                             std::string_view{h.output_dir}, std::string_view{h.verify},
                             std::string_view{h.supervisor_role}, std::string_view{h.worker_role}})
    add(out, f);
  add(out, std::to_string(h.max_iterations));
  for (const auto& c : h.accept)
    add(out, c);
  // Kept since seals began: added only when not the default, so an older journal's seal holds
  // and an edit can at most bring back a default (the config's sandbox, the usual timeout).
  // Each starts with a NUL, which no criterion from a command line holds: no list of criteria
  // seals like fewer criteria and a setting.
  const run_header usual;
  auto setting = [&out](const std::string& name, const std::string& value) {
    add(out, std::string(1, '\0') + name + "=" + value);
  };
  if (h.sandbox != usual.sandbox)
    setting("sandbox", h.sandbox);
  if (h.verify_timeout_s != usual.verify_timeout_s)
    setting("verify_timeout_s", std::to_string(h.verify_timeout_s));
  if (h.min_score != usual.min_score)
    setting("min_score", shortest(h.min_score));
  if (h.max_reasks != usual.max_reasks)
    setting("max_reasks", std::to_string(h.max_reasks));
  return out;
}

result<std::string> read_key(const std::filesystem::path& file) {
  unique_fd fd{::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (!fd)
    return make_failure(errc::io_error, "cannot read the run seal key " + file.string());
  std::string key(key_bytes, '\0');
  if (::read(fd.get(), key.data(), key.size()) != static_cast<ssize_t>(key.size()))
    return make_failure(errc::io_error, "the run seal key " + file.string() + " is damaged");
  return key;
}

} // namespace

result<std::string> run_seal_key(const std::filesystem::path& state_dir) {
  auto file = state_dir / "run-seal.key";
  if (auto made = make_private_dir(state_dir); !made)
    return made.error();
  auto opened = open_private_file(file, O_WRONLY | O_CREAT | O_EXCL);
  if (!opened) // there already (or another process made it first)
    return read_key(file);
  unique_fd fd{*opened};
  std::string key(key_bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), key_bytes) != 1)
    return make_failure(errc::io_error, "no random bytes from OpenSSL for the run seal key");
  if (::write(fd.get(), key.data(), key.size()) != static_cast<ssize_t>(key.size())
      || ::fsync(fd.get()) != 0)
    return make_failure(errc::io_error, "cannot write the run seal key " + file.string());
  return key;
}

std::string seal_of(const run_header& h, std::string_view key) {
  auto bytes = sealed_bytes(h);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), mac, &size);
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", mac[i]);
    out += hex;
  }
  return out;
}

bool sealed_by(const run_header& h, std::string_view key) {
  auto expected = seal_of(h, key);
  return h.seal.size() == expected.size()
         && CRYPTO_memcmp(h.seal.data(), expected.data(), expected.size()) == 0;
}

} // namespace et::store
