#include "et/store/key_cache.hpp"

#include "et/store/detail/key_db.hpp"

namespace et::store {

result<std::unique_ptr<key_cache>> key_cache::open(const std::filesystem::path& file,
                                                   std::chrono::milliseconds refresh) {
  auto reader = key_store::open(file);
  if (!reader)
    return reader.error();
  std::unique_ptr<key_cache> c{new key_cache(std::move(*reader), refresh)};
  std::lock_guard<std::mutex> guard{c->mutex_};
  if (auto r = c->refresh_locked(); !r)
    return r.error();
  return c;
}

result<void> key_cache::refresh_locked() {
  auto& d = *reader_->db_;
  std::lock_guard<std::mutex> guard{d.mutex};
  checked_ = std::chrono::steady_clock::now();
  // One read transaction: the count and the rows are of one state of the table.
  if (auto r = d.run("BEGIN", "begin a read"); !r)
    return r;
  struct end_read {
    const key_store::db& d;
    ~end_read() { d.run("COMMIT", "end a read"); }
  } ending{d};
  detail::checked_statement g{d,
                              "SELECT COALESCE((SELECT changes FROM key_changes WHERE id = 1), 0)"};
  if (!g.ok() || g.step() != SQLITE_ROW)
    return d.error("check the keys");
  auto now = g.integer(0);
  if (generation_ == now)
    return {};
  detail::checked_statement st{
      d, (std::string{"SELECT hash, "} + detail::key_columns + " FROM gateway_keys").c_str()};
  if (!st.ok())
    return d.error("read the keys");
  std::unordered_map<std::string, key_info> keys;
  int64_t active = 0;
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW) {
    auto k = detail::read_key(st, 1);
    active += k.revoked ? 0 : 1;
    keys.emplace(st.text(0), std::move(k));
  }
  if (rc != SQLITE_DONE)
    return d.error("read the keys");
  by_hash_ = std::move(keys);
  active_ = active;
  generation_ = now;
  return {};
}

result<void> key_cache::refresh() {
  std::lock_guard<std::mutex> guard{mutex_};
  return refresh_locked();
}

result<int64_t> key_cache::active() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto r = refresh_locked(); !r)
    return r.error();
  return active_;
}

result<key_cache::answer> key_cache::lookup(std::string_view presented) {
  auto hash = presented.empty() ? std::string{} : hash_key(presented);
  std::lock_guard<std::mutex> guard{mutex_};
  auto found = presented.empty() ? by_hash_.end() : by_hash_.find(hash);
  bool stale = std::chrono::steady_clock::now() - checked_ >= refresh_;
  if (stale || (!presented.empty() && found == by_hash_.end())) {
    if (auto r = refresh_locked(); !r)
      return r.error();
    found = presented.empty() ? by_hash_.end() : by_hash_.find(hash);
  }
  answer a;
  if (found != by_hash_.end())
    a.key = found->second;
  a.active = active_;
  return a;
}

} // namespace et::store
