#include "et/context/fetch_cache.hpp"

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <boost/json.hpp>

#include "et/config/trust.hpp"
#include "et/util/json_text.hpp"
#include "et/util/private_files.hpp"
#include "et/util/text.hpp"

namespace et::context {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

// Cached pages are at most a page's text plus a little: a larger file is not ours.
constexpr std::uintmax_t max_cache_file = (2u << 20) + (64u << 10);

std::optional<std::string> string_field(const json::object& o, const char* name) {
  auto* v = o.if_contains(name);
  if (!v || !v->is_string())
    return std::nullopt;
  return std::string{v->as_string()};
}

} // namespace

fs::path cache_file(const fs::path& state_dir, const std::string& key) {
  return state_dir / "fetch" / (config::sha256_hex(key) + ".json");
}

std::optional<cached_page> load_cached(const fs::path& state_dir, const std::string& key,
                                       int64_t now_ms, std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0)
    return std::nullopt;
  auto file = cache_file(state_dir, key);
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(file, ec)) || fs::file_size(file, ec) > max_cache_file
      || ec)
    return std::nullopt;
  std::ifstream in{file, std::ios::binary};
  std::stringstream bytes;
  bytes << in.rdbuf();
  json::error_code parse_error;
  auto doc = json::parse(bytes.str(), parse_error);
  if (parse_error || !doc.is_object())
    return std::nullopt;
  const auto& o = doc.as_object();
  cached_page page;
  auto k = string_field(o, "key");
  auto url = string_field(o, "url");
  auto title = string_field(o, "title");
  auto text = string_field(o, "text");
  auto* at = o.if_contains("fetched_ms");
  if (!k || *k != key || !url || !title || !text || !at || !at->is_int64())
    return std::nullopt;
  page.key = *k;
  page.url = *url;
  page.title = *title;
  page.text = *text;
  page.fetched_ms = at->as_int64();
  // A time before 1970 would overflow the age below (INT64_MIN read as fresh forever).
  if (page.fetched_ms < 0 || page.fetched_ms > now_ms || now_ms - page.fetched_ms > ttl.count())
    return std::nullopt;
  return page;
}

result<void> store_cached(const fs::path& state_dir, const cached_page& page) {
  auto folder = state_dir / "fetch";
  if (auto made = make_private_dir(folder); !made)
    return made.error();
  json::object o;
  o["key"] = page.key;
  o["url"] = page.url;
  o["title"] = page.title;
  o["text"] = page.text;
  o["fetched_ms"] = page.fetched_ms;
  auto bytes = json_text(o);
  make_valid_utf8(bytes);
  auto file = cache_file(state_dir, page.key);
  auto temp = folder / temp_name_for(file.filename().string());
  auto fd = open_private_file(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW);
  if (!fd)
    return fd.error();
  size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(*fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0)
      break;
    done += static_cast<size_t>(n);
  }
  ::close(*fd);
  std::error_code ec;
  if (done != bytes.size()) {
    fs::remove(temp, ec);
    return make_failure(errc::io_error, "cannot write " + temp.string());
  }
  fs::rename(temp, file, ec);
  if (ec) {
    fs::remove(temp, ec);
    return make_failure(errc::io_error, "cannot write " + file.string() + ": " + ec.message());
  }
  return {};
}

} // namespace et::context
