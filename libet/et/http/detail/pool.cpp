#include "et/http/detail/pool.hpp"

#include <utility>
#include <vector>

namespace et::http::detail {

pool::pool(std::size_t max_idle, std::chrono::milliseconds max_age)
    : max_idle_(max_idle), max_age_(max_age) {}

std::unique_ptr<connection> pool::acquire(const std::string& origin) {
  std::vector<std::unique_ptr<connection>> dead;
  std::unique_ptr<connection> found;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto i = idle_.find(origin);
    if (i == idle_.end())
      return nullptr;
    auto& list = i->second;
    auto now = std::chrono::steady_clock::now();
    // Newest first: the most recently used connection is the least likely to
    // have been closed by the server's own idle timeout.
    while (!list.empty() && !found) {
      auto c = std::move(list.back());
      list.pop_back();
      if (now - c->idle_since <= max_age_ && c->looks_reusable())
        found = std::move(c);
      else
        dead.push_back(std::move(c));
    }
    if (list.empty())
      idle_.erase(i);
  }
  // Closing outside the lock: nothing else can reach these connections.
  for (auto& c : dead)
    c->close();
  return found;
}

void pool::release(const std::string& origin, std::unique_ptr<connection> c) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto& list = idle_[origin];
    if (list.size() < max_idle_) {
      c->idle_since = std::chrono::steady_clock::now();
      list.push_back(std::move(c));
      return;
    }
    if (list.empty())
      idle_.erase(origin);
  }
  c->close();
}

std::size_t pool::idle(const std::string& origin) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = idle_.find(origin);
  return i == idle_.end() ? 0 : i->second.size();
}

} // namespace et::http::detail
