#include "et/store/key_store.hpp"

#include <cmath>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "et/llm/plausible.hpp"
#include "et/store/detail/key_db.hpp"
#include "et/store/holder.hpp"
#include "et/store/ledger_store.hpp"

namespace et::store {

namespace {

constexpr const char* schema = R"(
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS gateway_keys (
  name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL,
  budget_day REAL, budget_total REAL, models TEXT NOT NULL, rpm INTEGER, tpm INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS gateway_requests (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL, model TEXT NOT NULL, unix_ms INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, usd REAL,
  status INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS gateway_requests_by_key ON gateway_requests(key, unix_ms);
CREATE TABLE IF NOT EXISTS key_reservations (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL, holder TEXT NOT NULL, usd REAL NOT NULL,
  tokens INTEGER NOT NULL, minute INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS key_windows (
  key TEXT NOT NULL, minute INTEGER NOT NULL, requests INTEGER NOT NULL,
  tokens INTEGER NOT NULL, PRIMARY KEY (key, minute));
CREATE INDEX IF NOT EXISTS key_windows_by_minute ON key_windows(minute);
)";

std::string join_models(const std::vector<std::string>& models) {
  std::string out;
  for (const auto& m : models)
    out += (out.empty() ? "" : ",") + m;
  return out;
}

result<void> check_limits(const key_limits& l) {
  auto usd = [](const std::optional<double>& v, const char* what) -> result<void> {
    if (v && (!std::isfinite(*v) || *v < 0 || *v > max_usd))
      return make_failure(errc::invalid_input,
                          std::string{what} + " must be a number of dollars, 0 or more");
    return {};
  };
  if (auto r = usd(l.budget_day, "budget_day"); !r)
    return r;
  if (auto r = usd(l.budget_total, "budget_total"); !r)
    return r;
  if ((l.rpm && *l.rpm < 1) || (l.tpm && *l.tpm < 1))
    return make_failure(errc::invalid_input,
                        std::string{l.rpm && *l.rpm < 1 ? "rpm" : "tpm"} + " must be 1 or more");
  for (const auto& m : l.models)
    if (m.empty() || m.size() > 256 || m.find(',') != std::string::npos)
      return make_failure(errc::invalid_input,
                          "models: each name must be 1 to 256 bytes without a comma");
  return {};
}

} // namespace

result<void> check_key_name(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return make_failure(errc::invalid_input, "a key name has 1 to 64 characters");
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name.front()))
    return make_failure(errc::invalid_input, "a key name starts with a letter or a digit");
  for (char c : name)
    if (!alnum(c) && c != '.' && c != '_' && c != '-')
      return make_failure(errc::invalid_input,
                          "a key name holds only letters, digits, '.', '_' and '-'");
  return {};
}

result<std::string> generate_key() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    return make_failure(errc::io_error, "gateway keys: no random bytes from OpenSSL");
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "et-";
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0)
    out += alphabet[(acc << (6 - bits)) & 63];
  return out;
}

std::string hash_key(std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(key.data(), key.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

key_store::key_store(std::unique_ptr<db> d) : db_(std::move(d)) {}
key_store::~key_store() = default;

result<std::unique_ptr<key_store>> key_store::open(const std::filesystem::path& file,
                                                   std::string holder, sqlite_wait wait) {
  auto d = std::make_unique<db>();
  if (auto opened = d->open(file, wait.busy); !opened)
    return opened.error();
  d->wait = std::move(wait);
  // As the ledger's: a new file's set-up may be refused at once while another process sets
  // it up too; tried again like a write.
  if (auto r = d->retry_when_busy([&] { return d->exec(schema, "set up"); }); !r)
    return r.error();
  if (auto r = detail::ensure_derived_tables(*d); !r)
    return r.error();
  d->leases = lease_dir(file);
  d->own_holder = holder.empty();
  d->holder = holder.empty() ? this_process_holder() : std::move(holder);
  return std::unique_ptr<key_store>{new key_store(std::move(d))};
}

result<std::string> key_store::create(const std::string& name, const key_limits& limits,
                                      int64_t now_ms) {
  if (auto ok = check_key_name(name); !ok)
    return ok.error();
  if (auto ok = check_limits(limits); !ok)
    return ok.error();
  auto key = generate_key();
  if (!key)
    return key;
  std::lock_guard<std::mutex> guard{db_->mutex};
  return db_->transaction([&]() -> result<std::string> {
    detail::checked_statement taken{*db_, "SELECT revoked FROM gateway_keys WHERE name = ?"};
    taken.bind(1, name);
    if (taken.ok() && taken.step() == SQLITE_ROW)
      return make_failure(errc::invalid_input,
                          "a key named \"" + name + "\" exists already"
                              + (taken.integer(0) ? " (revoked; names are not reused)" : ""));
    detail::checked_statement st{*db_,
                                 "INSERT INTO gateway_keys (name, hash, created_ms, budget_day, "
                                 "budget_total, models, rpm, tpm) VALUES (?,?,?,?,?,?,?,?)"};
    st.bind(1, name);
    st.bind(2, hash_key(*key));
    st.bind(3, now_ms);
    st.bind(4, limits.budget_day);
    st.bind(5, limits.budget_total);
    st.bind(6, join_models(limits.models));
    st.bind(7, limits.rpm);
    st.bind(8, limits.tpm);
    if (auto r = st.run("store the key"); !r)
      return r.error();
    return *key;
  });
}

result<std::vector<key_info>> key_store::list(int64_t now_ms) const {
  std::lock_guard<std::mutex> guard{db_->mutex};
  detail::checked_statement st{
      *db_,
      (std::string{"SELECT "} + detail::key_columns + " FROM gateway_keys ORDER BY name").c_str()};
  if (!st.ok())
    return db_->error("list keys");
  std::vector<key_info> out;
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back(detail::read_key(st, 0));
  if (rc != SQLITE_DONE)
    return db_->error("list keys");
  for (auto& k : out) {
    auto day = detail::spent_since(*db_, k.name, start_of_utc_day(now_ms));
    auto total = detail::spent_since(*db_, k.name, 0);
    if (!day || !total)
      return day ? total.error() : day.error();
    k.spent_day = *day;
    k.spent_total = *total;
    detail::checked_statement n{*db_,
                                "SELECT COALESCE(SUM(requests), 0) FROM key_spend WHERE key = ?"};
    n.bind(1, k.name);
    auto count = n.scalar("count requests");
    if (!count)
      return count.error();
    k.requests = static_cast<int64_t>(*count);
  }
  return out;
}

result<bool> key_store::revoke(const std::string& name) {
  std::lock_guard<std::mutex> guard{db_->mutex};
  // One transaction: another process creating the name between the two statements must not
  // make an active key read as "revoked already".
  return db_->transaction([&]() -> result<bool> {
    detail::checked_statement st{
        *db_, "UPDATE gateway_keys SET revoked = 1 WHERE name = ? AND revoked = 0"};
    st.bind(1, name);
    if (auto r = st.run("revoke"); !r)
      return r.error();
    if (sqlite3_changes(db_->handle) > 0)
      return true;
    detail::checked_statement known{*db_, "SELECT COUNT(*) FROM gateway_keys WHERE name = ?"};
    known.bind(1, name);
    auto n = known.scalar("find key");
    if (!n)
      return n.error();
    if (*n == 0)
      return make_failure(errc::not_found, "no key named \"" + name + "\"");
    return false;
  });
}

result<bool> key_store::any_active() const {
  std::lock_guard<std::mutex> guard{db_->mutex};
  detail::checked_statement st{*db_, "SELECT COUNT(*) FROM gateway_keys WHERE revoked = 0"};
  auto n = st.scalar("count keys");
  if (!n)
    return n.error();
  return *n > 0;
}

result<std::optional<key_info>> key_store::find(std::string_view presented) const {
  std::lock_guard<std::mutex> guard{db_->mutex};
  detail::checked_statement st{
      *db_,
      (std::string{"SELECT "} + detail::key_columns + " FROM gateway_keys WHERE hash = ?").c_str()};
  st.bind(1, hash_key(presented));
  if (!st.ok())
    return db_->error("find key");
  auto rc = st.step();
  if (rc == SQLITE_DONE)
    return std::optional<key_info>{};
  if (rc != SQLITE_ROW)
    return db_->error("find key");
  return std::optional<key_info>{detail::read_key(st, 0)};
}

namespace detail {

std::vector<std::string> split_models(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    auto comma = text.find(',', at);
    if (comma == std::string::npos)
      comma = text.size();
    if (comma > at)
      out.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

result<double> spent_since(const key_store::db& d, const std::string& name, int64_t day_ms) {
  // MAX: a negative row (the file is on disk; anyone may edit it) cancels no spend.
  if (day_ms == 0) { // ever: one row, not one per day
    checked_statement st{
        d, "SELECT COALESCE((SELECT MAX(usd, 0) FROM key_spend_total WHERE key = ?), 0)"};
    st.bind(1, name);
    return st.scalar("sum spend");
  }
  checked_statement st{d, "SELECT COALESCE(SUM(MAX(usd, 0)), 0) FROM key_spend WHERE key = ? AND "
                          "day_ms >= ?"};
  st.bind(1, name);
  st.bind(2, day_ms);
  return st.scalar("sum spend");
}

key_info read_key(const checked_statement& st, int first) {
  key_info k;
  k.name = st.text(first);
  k.created_ms = st.integer(first + 1);
  k.limits.budget_day = st.opt_real(first + 2);
  k.limits.budget_total = st.opt_real(first + 3);
  k.limits.models = split_models(st.text(first + 4));
  k.limits.rpm = st.opt_integer(first + 5);
  k.limits.tpm = st.opt_integer(first + 6);
  k.revoked = st.integer(first + 7) != 0;
  return k;
}

} // namespace detail

} // namespace et::store
