#pragma once
/// The table of requests in flight that actors keep by id (the HTTP provider's
/// exchanges and listings, the remote provider's calls): whatever a request
/// needs until its reply (a promise, a sink to relay pieces to, a handle to
/// cancel). A request ends exactly once, by `take`: the reply, a failure and a
/// cancel all take it out, so whichever comes second finds nothing and does
/// nothing (a late reply after a cancel is dropped, never delivered twice).
/// Plain C++: the entries may hold CAF handles, the table knows nothing of them.

#include <cstddef>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace et::util {

/// Requests in flight by key; `Entry` is what one request keeps until it ends.
template <class Key, class Entry>
class in_flight {
public:
  /// Starts tracking `key` (an entry already under it is replaced); returns the entry.
  Entry& add(Key key, Entry entry) {
    return entries_.insert_or_assign(std::move(key), std::move(entry)).first->second;
  }

  /// The entry under `key`, or nullptr when the request ended (or never began).
  Entry* find(const Key& key) {
    auto i = entries_.find(key);
    return i == entries_.end() ? nullptr : &i->second;
  }

  /// Ends the request under `key`: removes its entry and hands it over, or
  /// nothing when it ended already.
  std::optional<Entry> take(const Key& key) {
    auto i = entries_.find(key);
    if (i == entries_.end())
      return std::nullopt;
    std::optional<Entry> out{std::move(i->second)};
    entries_.erase(i);
    return out;
  }

  /// Ends every request (an actor going away), handing their entries over in key order.
  std::vector<std::pair<Key, Entry>> take_all() {
    std::vector<std::pair<Key, Entry>> out;
    out.reserve(entries_.size());
    for (auto& [key, entry] : entries_)
      out.emplace_back(key, std::move(entry));
    entries_.clear();
    return out;
  }

  /// Calls `f(key, entry)` for every request in flight, in key order.
  template <class F>
  void for_each(F&& f) {
    for (auto& [key, entry] : entries_)
      f(key, entry);
  }

  /// How many requests are in flight.
  size_t size() const { return entries_.size(); }

  /// True when no request is in flight.
  bool empty() const { return entries_.empty(); }

private:
  std::map<Key, Entry> entries_; // ordered: visits and take_all go by key, deterministically
};

} // namespace et::util
