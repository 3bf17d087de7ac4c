#pragma once
/// The one writer of a gateway process's key store: admissions and records are queued
/// and written by a thread of its own, many to a transaction.
///
/// Admissions (the reserve before a request goes upstream) are written at once: every
/// admission queued while the previous transaction ran goes into the next one (one
/// BEGIN IMMEDIATE, each checked against the reservations of those before it), and its
/// answer is given only after that transaction committed, so a request never goes out
/// on a reservation that other processes cannot see. The commit does not wait for the
/// disk (see key_store::admit_all).
///
/// Records (the settle after the answer: release the reservation, keep the actual tokens
/// and spend) are gathered and written in one transaction, synced to disk, once
/// `flush_every` passed since the oldest waiting one or `flush_records` wait, and on
/// destruction. Until a record is written its reservation (the request's worst case)
/// stays in the shared tables, so every process keeps counting the request against the
/// key's budget and windows at its estimate: gathering delays when other processes see
/// the actual spend, never lets them see less than it.
///
/// A crash (kill -9, power cut) loses the records still gathered: at most `flush_records`
/// requests, or those of the last `flush_every`. Their reservations are dropped by the
/// next admission in any process once this one is gone (holder_alive), so their spend is
/// not counted. Records that cannot be written (another process held the file for about a
/// minute, the disk is full) are logged once and kept, and tried again a `flush_every` later,
/// then at doubling intervals up to a minute, their reservations still counted; only flush()
/// and the end give up on them (logged, and their reservations dropped with this process as
/// after a crash).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "et/store/key_store.hpp"

namespace et::store {

/// How a key_writer gathers records.
struct key_writer_options {
  std::chrono::milliseconds flush_every{100}; ///< longest a record waits
  size_t flush_records = 256;                 ///< records written together at most
  /// Records a writer holds at most while the store fails; past it records without a
  /// reservation (refusals, which cost nothing) are dropped, so a client refused in a loop
  /// cannot fill memory instead of the disk. Those with one are always kept.
  size_t max_held_records = 100'000;
  std::function<void(const std::string&)> log; ///< a line per record not written (may be empty)
};

/// The writer thread; calls never block on SQLite.
class key_writer {
public:
  /// Writes to `store`, which it owns from now on.
  explicit key_writer(std::unique_ptr<key_store> store, key_writer_options options = {});
  /// Writes every queued admission and record, then stops its thread.
  ~key_writer();
  key_writer(const key_writer&) = delete;
  key_writer& operator=(const key_writer&) = delete;

  /// The answer to an admission, called on the writer's thread after the commit.
  using admitted = std::function<void(result<key_admission>)>;

  /// Queues `use`; `then` gets its answer once its transaction committed.
  void admit(key_use use, admitted then);

  /// Queues the release of reservation `id` (0: none) and the record `rec` (one without a
  /// reservation may be dropped while max_held_records wait).
  void settle(int64_t id, key_request rec);

  /// Blocks until every record queued before the call is written (or failed and logged) and
  /// every admission queued before it is answered, its answer run and let go of.
  void flush();

private:
  void run();
  bool write_records(std::vector<key_settlement>& batch, bool last_try);
  std::chrono::steady_clock::time_point records_due_at() const;

  std::unique_ptr<key_store> store_;
  key_writer_options options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::vector<std::pair<key_use, admitted>> admissions_;
  std::vector<key_settlement> records_;
  std::chrono::steady_clock::time_point oldest_{};   ///< when the oldest waiting record came
  std::chrono::steady_clock::time_point retry_at_{}; ///< a failed batch's next try
  int failed_tries_ = 0;  ///< failed writes in a row (the writer's thread only)
  uint64_t queued_ = 0;   ///< records queued ever
  uint64_t done_ = 0;     ///< records written or given up ever
  uint64_t flush_to_ = 0; ///< records flush() waits for
  uint64_t admitted_ = 0; ///< admissions queued ever
  uint64_t answered_ = 0; ///< admissions answered ever
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace et::store
