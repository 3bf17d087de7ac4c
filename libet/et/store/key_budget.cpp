// The key store's accounting: admissions (rate windows and budgets checked and
// reserved in one exclusive transaction), settles and the request records.

#include <string>

#include "et/cost/summary.hpp"
#include "et/llm/plausible.hpp"
#include "et/store/detail/key_db.hpp"
#include "et/store/holder.hpp"
#include "et/store/ledger_store.hpp"

namespace et::store {

namespace {

constexpr int64_t minute_ms = 60'000;
constexpr int64_t day_ms = 86'400'000;

// Reservations of processes that died before settling would hold a key's
// budget forever: their holders are checked and their rows dropped.
result<void> drop_dead_holders(const key_store::db& d) {
  std::vector<std::string> dead;
  {
    // Each holder once, by index seeks from one to the next: a read per process, not per key
    // in use (10,000 keys in use: a scan of 10,000 rows before every admission batch).
    detail::checked_statement st{
        d, "WITH RECURSIVE holders(h) AS (SELECT (SELECT MIN(holder) FROM key_reserved) UNION "
           "ALL SELECT (SELECT MIN(holder) FROM key_reserved WHERE holder > h) FROM holders WHERE "
           "h IS NOT NULL) SELECT h FROM holders WHERE h IS NOT NULL"};
    if (!st.ok())
      return d.error("holders");
    int rc = 0;
    while ((rc = st.step()) == SQLITE_ROW)
      if (auto h = st.text(0); h != d.holder && !holder_alive(h, d.leases))
        dead.push_back(std::move(h));
    if (rc != SQLITE_DONE)
      return d.error("holders");
  }
  for (const auto& h : dead) {
    detail::checked_statement st{d, "DELETE FROM key_reservations WHERE holder = ?"};
    st.bind(1, h);
    if (auto r = st.run("expire reservations"); !r)
      return r;
  }
  return {};
}

std::string budget_message(const std::string& name, const char* which, double limit, double spent,
                           double reserved, double next) {
  return "key \"" + name + "\" has reached its " + which + " budget of " + cost::format_usd(limit)
         + " (spent " + cost::format_usd(spent) + ", reserved by " + "requests in flight "
         + cost::format_usd(reserved) + ", this request up to " + cost::format_usd(next) + ")";
}

// One admission inside the caller's transaction (dead holders already dropped).
result<key_admission> admit_one(const key_store::db& d, const key_use& use) {
  detail::checked_statement k{d, "SELECT budget_day, budget_total, rpm, tpm, revoked FROM "
                                 "gateway_keys WHERE name = ?"};
  k.bind(1, use.name);
  // A store that fails is not a key that is unknown: the client gets a 500, not a 401.
  int found = k.ok() ? k.step() : SQLITE_ERROR;
  if (found != SQLITE_ROW && found != SQLITE_DONE)
    return d.error("look up the key");
  if (found != SQLITE_ROW || k.integer(4) != 0)
    return make_failure(errc::auth, "the key is unknown or revoked");
  auto budget_day = k.opt_real(0);
  auto budget_total = k.opt_real(1);
  auto rpm = k.opt_integer(2);
  auto tpm = k.opt_integer(3);
  int64_t minute = use.now_ms / minute_ms;
  {
    detail::checked_statement old{d, "DELETE FROM key_windows WHERE minute < ?"};
    old.bind(1, minute - 1);
    if (auto r = old.run("expire windows"); !r)
      return r.error();
  }
  int64_t requests = 0, tokens = 0;
  {
    detail::checked_statement w{
        d, "SELECT requests, tokens FROM key_windows WHERE key = ? AND minute = ?"};
    w.bind(1, use.name);
    w.bind(2, minute);
    // A window that cannot be read is not an empty one: the limits would not hold.
    int rc = w.ok() ? w.step() : SQLITE_ERROR;
    if (rc == SQLITE_ROW) {
      requests = w.integer(0);
      tokens = w.integer(1);
    } else if (rc != SQLITE_DONE) {
      return d.error("read the rate window");
    }
  }
  key_admission a;
  auto window_left_s = ((minute + 1) * minute_ms - use.now_ms + 999) / 1000;
  if (rpm && requests + 1 > *rpm) {
    a.why = key_refusal::rpm;
    a.retry_after_s = std::max<int64_t>(1, window_left_s);
    a.message = "key \"" + use.name + "\" is over its rate limit of " + std::to_string(*rpm)
                + " requests per minute";
    return a;
  }
  // A request larger than the whole tpm still passes in an empty window, or it never would.
  if (tpm && tokens > 0 && tokens + use.tokens > *tpm) {
    a.why = key_refusal::tpm;
    a.retry_after_s = std::max<int64_t>(1, window_left_s);
    a.message = "key \"" + use.name + "\" is over its rate limit of " + std::to_string(*tpm)
                + " tokens per minute (" + std::to_string(tokens) + " used, this request up to "
                + std::to_string(use.tokens) + ")";
    return a;
  }
  // key_reserved, not a sum over key_reservations: see key_tables.cpp. A holder's sum is
  // never taken below 0 by rounding.
  detail::checked_statement r{
      d, "SELECT COALESCE(SUM(MAX(usd, 0)), 0) FROM key_reserved WHERE key = ?"};
  r.bind(1, use.name);
  auto reserved = r.scalar("sum reservations");
  if (!reserved)
    return reserved.error();
  auto spent = [&](int64_t since) { return detail::spent_since(d, use.name, since); };
  if (budget_day) {
    auto day = spent(start_of_utc_day(use.now_ms));
    if (!day)
      return day.error();
    if (crosses_limit(*budget_day, *day + *reserved, use.usd)) {
      a.why = key_refusal::budget_day;
      a.message = budget_message(use.name, "daily", *budget_day, *day, *reserved, use.usd);
      a.retry_after_s = (start_of_utc_day(use.now_ms) + day_ms - use.now_ms + 999) / 1000;
      return a;
    }
  }
  if (budget_total) {
    auto total = spent(0);
    if (!total)
      return total.error();
    if (crosses_limit(*budget_total, *total + *reserved, use.usd)) {
      a.why = key_refusal::budget_total;
      a.message = budget_message(use.name, "total", *budget_total, *total, *reserved, use.usd);
      return a;
    }
  }
  detail::checked_statement ins{d,
                                "INSERT INTO key_reservations (key, holder, usd, tokens, minute) "
                                "VALUES (?,?,?,?,?)"};
  ins.bind(1, use.name);
  ins.bind(2, d.holder);
  ins.bind(3, use.usd);
  ins.bind(4, use.tokens);
  ins.bind(5, minute);
  if (auto done = ins.run("reserve"); !done)
    return done.error();
  a.id = sqlite3_last_insert_rowid(d.handle);
  detail::checked_statement count{d,
                                  "INSERT INTO key_windows (key, minute, requests, tokens) VALUES "
                                  "(?,?,1,?) ON CONFLICT (key, minute) DO UPDATE SET requests = "
                                  "requests + 1, tokens = tokens + excluded.tokens"};
  count.bind(1, use.name);
  count.bind(2, minute);
  count.bind(3, use.tokens);
  if (auto done = count.run("count the request"); !done)
    return done.error();
  return a;
}

// The commit of an admission need not reach the disk (see admit_all); a record's must.
result<void> synchronous(const key_store::db& d, bool full) {
  if (d.full_sync == full)
    return {};
  auto set =
      d.run(full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", "synchronous");
  d.full_sync = set ? std::optional<bool>{full} : std::nullopt;
  return set;
}

} // namespace

result<key_admission> key_store::admit(const key_use& use) {
  auto all = admit_all({use});
  if (!all)
    return all.error();
  return std::move(all->front());
}

result<std::vector<result<key_admission>>> key_store::admit_all(const std::vector<key_use>& uses) {
  std::lock_guard<std::mutex> guard{db_->mutex};
  const auto& d = *db_;
  if (auto r = synchronous(d, false); !r)
    return r.error();
  // Before the first reservation: from then on other processes look for our lease.
  if (d.own_holder)
    if (auto r = hold_lease(d.leases); !r)
      return r.error();
  return d.transaction([&]() -> result<std::vector<result<key_admission>>> {
    if (auto r = drop_dead_holders(d); !r)
      return r.error();
    std::vector<result<key_admission>> out;
    out.reserve(uses.size());
    for (const auto& use : uses) {
      // A savepoint per use: one that fails half-way leaves nothing behind for the others.
      if (auto r = d.run("SAVEPOINT one_use", "savepoint"); !r)
        return r.error();
      auto a = admit_one(d, use);
      if (!a)
        if (auto r = d.run("ROLLBACK TO one_use", "roll back a use"); !r)
          return r.error();
      if (auto r = d.run("RELEASE one_use", "release a use"); !r)
        return r.error();
      out.push_back(std::move(a));
    }
    return out;
  });
}

namespace {

// One settle inside the caller's transaction.
result<void> settle_one(const key_store::db& d, int64_t id, const key_request& rec) {
  auto tokens = plausible(rec.tokens);
  if (id != 0) {
    detail::checked_statement q{d, "SELECT key, tokens, minute FROM key_reservations WHERE id = ?"};
    q.bind(1, id);
    int rc = q.ok() ? q.step() : SQLITE_ERROR;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      return d.error("read the reservation");
    if (rc == SQLITE_ROW) {
      // The window counted the estimate; it keeps the actual count instead.
      detail::checked_statement w{d, "UPDATE key_windows SET tokens = MAX(0, tokens - ? + ?) WHERE "
                                     "key = ? AND minute = ?"};
      w.bind(1, q.integer(1));
      w.bind(2, tokens.prompt_tokens + tokens.completion_tokens);
      w.bind(3, q.text(0));
      w.bind(4, q.integer(2));
      if (auto r = w.run("correct the window"); !r)
        return r;
    }
    detail::checked_statement del{d, "DELETE FROM key_reservations WHERE id = ?"};
    del.bind(1, id);
    if (auto r = del.run("release"); !r)
      return r;
  }
  detail::checked_statement st{d,
                               "INSERT INTO gateway_requests (key, model, unix_ms, prompt_tokens, "
                               "completion_tokens, usd, status) VALUES (?,?,?,?,?,?,?)"};
  st.bind(1, rec.key);
  st.bind(2, rec.model);
  st.bind(3, rec.unix_ms);
  st.bind(4, tokens.prompt_tokens);
  st.bind(5, tokens.completion_tokens);
  st.bind(6, plausible_usd(rec.usd));
  st.bind(7, int64_t{rec.status});
  return st.run("record the request"); // and the key_spend trigger adds it to the day's spend
}

result<void> settle_once(const key_store::db& d, const std::vector<key_settlement>& batch) {
  std::lock_guard<std::mutex> guard{d.mutex};
  if (auto r = synchronous(d, true); !r)
    return r;
  return d.transaction([&]() -> result<void> {
    for (const auto& s : batch)
      if (auto r = settle_one(d, s.id, s.record); !r)
        return r;
    return {};
  });
}

} // namespace

result<void> key_store::settle(int64_t id, const key_request& rec) {
  return settle_all({key_settlement{id, rec}});
}

result<void> key_store::settle_all(const std::vector<key_settlement>& batch) {
  if (batch.empty())
    return {};
  // A record is spend: the lock is let go between attempts so reads can proceed.
  return db_->retry_when_busy([&] { return settle_once(*db_, batch); });
}

result<std::vector<key_request>> key_store::requests_since(int64_t unix_ms) const {
  std::lock_guard<std::mutex> guard{db_->mutex};
  detail::checked_statement st{*db_,
                               "SELECT key, model, unix_ms, prompt_tokens, completion_tokens, usd, "
                               "status FROM gateway_requests WHERE unix_ms >= ? ORDER BY unix_ms, "
                               "id"};
  if (!st.ok())
    return db_->error("query requests");
  st.bind(1, unix_ms);
  std::vector<key_request> out;
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW) {
    key_request r;
    r.key = st.text(0);
    r.model = st.text(1);
    r.unix_ms = st.integer(2);
    r.tokens.prompt_tokens = st.integer(3);
    r.tokens.completion_tokens = st.integer(4);
    r.usd = st.opt_real(5);
    r.status = static_cast<int>(st.integer(6));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE)
    return db_->error("query requests");
  return out;
}

} // namespace et::store
