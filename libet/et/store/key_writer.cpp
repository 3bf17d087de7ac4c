#include "et/store/key_writer.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace et::store {

key_writer::key_writer(std::unique_ptr<key_store> store, key_writer_options options)
    : store_(std::move(store)), options_(std::move(options)) {
  if (options_.flush_records == 0)
    options_.flush_records = 1;
  thread_ = std::thread{[this] { run(); }};
}

key_writer::~key_writer() {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable())
    thread_.join();
}

void key_writer::admit(key_use use, admitted then) {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    admissions_.emplace_back(std::move(use), std::move(then));
    ++admitted_;
  }
  wake_.notify_one();
}

void key_writer::settle(int64_t id, key_request rec) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock{mutex_};
    if (id == 0 && records_.size() >= options_.max_held_records)
      return; // a refusal while the store fails: nothing is held for it
    if (records_.empty()) {
      oldest_ = std::chrono::steady_clock::now();
      wake = true; // the thread may be waiting without a deadline
    }
    records_.push_back(key_settlement{id, std::move(rec)});
    ++queued_;
    wake = wake || records_.size() >= options_.flush_records;
  }
  if (wake)
    wake_.notify_one();
}

void key_writer::flush() {
  std::unique_lock<std::mutex> lock{mutex_};
  auto target = queued_;
  auto answers = admitted_;
  flush_to_ = std::max(flush_to_, target);
  wake_.notify_one();
  written_.wait(lock, [&] { return done_ >= target && answered_ >= answers; });
}

bool key_writer::write_records(std::vector<key_settlement>& batch, bool last_try) {
  // The store retries while another process holds the file (about a minute).
  auto r = store_->settle_all(batch);
  if (r) {
    if (failed_tries_ > 0 && options_.log)
      options_.log("recorded the requests kept since the key store failed ("
                   + std::to_string(failed_tries_) + " tries)");
    failed_tries_ = 0;
    return true;
  }
  ++failed_tries_;
  if (!options_.log)
    return false;
  if (!last_try) {
    // One line an outage: the tries that follow it back off and say nothing more.
    if (failed_tries_ == 1)
      options_.log("cannot record " + std::to_string(batch.size())
                   + " requests yet: " + r.error().message
                   + " (they are kept and tried again, less often as it goes on; their "
                     "reservations stay counted)");
  } else {
    for (const auto& s : batch)
      options_.log("cannot record a request of key \"" + s.record.key + "\": " + r.error().message);
  }
  return false;
}

std::chrono::steady_clock::time_point key_writer::records_due_at() const {
  // A failed batch waits out a flush interval before it is tried again.
  if (records_.size() >= options_.flush_records)
    return retry_at_;
  return std::max(retry_at_, oldest_ + options_.flush_every);
}

void key_writer::run() {
  std::unique_lock<std::mutex> lock{mutex_};
  for (;;) {
    bool records_due =
        !records_.empty()
        && (stopping_ || flush_to_ > done_ || std::chrono::steady_clock::now() >= records_due_at());
    if (admissions_.empty() && !records_due) {
      if (stopping_ && records_.empty())
        return; // everything queued is written
      if (records_.empty())
        wake_.wait(lock);
      else
        wake_.wait_until(lock, records_due_at());
      continue;
    }
    // Everything that came while the last transaction ran goes into the next one.
    auto admissions = std::exchange(admissions_, {});
    std::vector<key_settlement> records;
    if (records_due) {
      // At most a batch's worth: records kept through a failure do not all go at once.
      auto n = std::min(records_.size(), options_.flush_records);
      records.assign(std::make_move_iterator(records_.begin()),
                     std::make_move_iterator(records_.begin() + static_cast<std::ptrdiff_t>(n)));
      records_.erase(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    // Given up only when someone waits for them (flush, the end): until then a batch that
    // cannot be written is kept, and its reservations with it, never dropped while they count.
    bool last_try = stopping_ || flush_to_ > done_;
    lock.unlock();
    if (!admissions.empty()) {
      std::vector<key_use> uses;
      uses.reserve(admissions.size());
      for (const auto& a : admissions)
        uses.push_back(a.first);
      auto answers = store_->admit_all(uses);
      for (size_t i = 0; i < admissions.size(); ++i)
        admissions[i].second(answers ? std::move((*answers)[i])
                                     : result<key_admission>{answers.error()});
    }
    // The answers and what they hold go before flush() learns of them: a caller that flushed
    // before letting go of what the answers hold is the last to hold it.
    auto answered = admissions.size();
    admissions.clear();
    bool written = records.empty() || write_records(records, last_try);
    lock.lock();
    answered_ += answered;
    if (!written && !last_try) {
      records_.insert(records_.begin(), std::make_move_iterator(records.begin()),
                      std::make_move_iterator(records.end()));
      oldest_ = std::chrono::steady_clock::now();
      // Doubling from a flush interval, up to a minute: a store that fails at once (a full
      // disk) is not asked ten times a second.
      auto shift = std::min(failed_tries_ - 1, 10);
      retry_at_ = oldest_
                  + std::min<std::chrono::milliseconds>(options_.flush_every * (1 << shift),
                                                        std::chrono::minutes{1});
      records.clear();
    }
    if (!records.empty())
      done_ += records.size();
    if (answered > 0 || !records.empty())
      written_.notify_all();
  }
}

} // namespace et::store
