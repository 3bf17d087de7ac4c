#include "holds.hpp"

#include <utility>

namespace et::fake::detail {

void hold_list::add(std::function<void()> wake) {
  std::lock_guard guard{mutex_};
  waiting_.push_back(std::move(wake));
}

std::size_t hold_list::release_all() {
  std::vector<std::function<void()>> woken;
  {
    std::lock_guard guard{mutex_};
    woken.swap(waiting_);
  }
  // Outside the lock: a woken stream may finish and be held again at once.
  for (auto& wake : woken)
    wake();
  return woken.size();
}

void hold_list::clear() {
  std::vector<std::function<void()>> dropped;
  {
    std::lock_guard guard{mutex_};
    dropped.swap(waiting_);
  }
  // The sessions die here, outside the lock, while their io_context still exists.
}

std::size_t hold_list::size() const {
  std::lock_guard guard{mutex_};
  return waiting_.size();
}

} // namespace et::fake::detail
