#include <algorithm>
#include <map>
#include <mutex>

#include "et/llm/plausible.hpp"
#include "et/store/ledger_store.hpp"

namespace et::store {

namespace {

// Calls and reservations in this process's memory, under one lock, answering as the SQLite
// ledger does.
class memory_ledger : public ledger_store {
public:
  result<void> append(const stored_call& call) override {
    std::lock_guard<std::mutex> guard{mutex_};
    calls_.push_back(call);
    // As the sqlite ledger keeps it: a lie from upstream is not kept.
    calls_.back().call.tokens = plausible(call.call.tokens);
    calls_.back().call.usd = plausible_usd(call.call.usd);
    return {};
  }

  result<std::vector<stored_call>> since(int64_t unix_ms) const override {
    std::lock_guard<std::mutex> guard{mutex_};
    std::vector<stored_call> out;
    for (const auto& c : calls_)
      if (c.call.unix_ms >= unix_ms)
        out.push_back(c);
    return out;
  }

  result<double> spent_since(int64_t unix_ms) const override {
    std::lock_guard<std::mutex> guard{mutex_};
    double usd = 0;
    for (const auto& c : calls_)
      if (c.call.unix_ms >= unix_ms && c.call.usd)
        usd += *c.call.usd;
    return usd;
  }

  result<std::map<std::string, double>> run_spend(const std::string& run_id,
                                                  int64_t since_ms) const override {
    std::lock_guard<std::mutex> guard{mutex_};
    std::map<std::string, double> out;
    for (const auto& c : calls_)
      if (c.run_id == run_id && c.call.unix_ms >= since_ms)
        if (auto usd = plausible_usd(c.call.usd)) // as the SQLite ledger counts
          out[c.call.role] = std::min(out[c.call.role] + *usd, max_usd);
    return out;
  }

  result<reservation_grant> reserve(const reservation_ask& ask) override {
    std::lock_guard<std::mutex> guard{mutex_};
    reservation_grant g;
    for (const auto& c : calls_)
      if (c.call.unix_ms >= ask.day_start_ms && c.call.usd)
        g.spent += *c.call.usd;
    for (const auto& [id, usd] : reservations_)
      g.reserved += usd;
    if (ask.day_limit && crosses_limit(*ask.day_limit, g.spent + g.reserved, ask.usd))
      return g;
    g.id = next_id_++;
    reservations_[g.id] = ask.usd;
    return g;
  }

  result<void> settle(int64_t id, const stored_call* call) override {
    std::lock_guard<std::mutex> guard{mutex_};
    reservations_.erase(id);
    if (call)
      calls_.push_back(*call);
    return {};
  }

  // Under one lock: a reader sees the whole batch or none of it, as with SQLite.
  result<void> write_all(const std::vector<ledger_write>& writes) override {
    std::lock_guard<std::mutex> guard{mutex_};
    for (const auto& w : writes) {
      reservations_.erase(w.reservation);
      if (w.call)
        calls_.push_back(*w.call);
    }
    return {};
  }

private:
  mutable std::mutex mutex_;
  std::vector<stored_call> calls_;
  std::map<int64_t, double> reservations_;
  int64_t next_id_ = 1;
};

} // namespace

std::unique_ptr<ledger_store> make_memory_ledger() {
  return std::make_unique<memory_ledger>();
}

} // namespace et::store
