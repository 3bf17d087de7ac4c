#include "et/store/key_writer.hpp"

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
  }
  wake_.notify_one();
}

void key_writer::settle(int64_t id, key_request rec) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock{mutex_};
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
  flush_to_ = std::max(flush_to_, target);
  wake_.notify_one();
  written_.wait(lock, [&] { return done_ >= target; });
}

void key_writer::write_records(std::vector<key_settlement>& batch) {
  // The store retries while another process holds the file (about a minute).
  auto r = store_->settle_all(batch);
  if (!r && options_.log)
    for (const auto& s : batch)
      options_.log("cannot record a request of key \"" + s.record.key + "\": " + r.error().message);
}

void key_writer::run() {
  std::unique_lock<std::mutex> lock{mutex_};
  for (;;) {
    bool records_due =
        !records_.empty()
        && (stopping_ || records_.size() >= options_.flush_records || flush_to_ > done_
            || std::chrono::steady_clock::now() >= oldest_ + options_.flush_every);
    if (admissions_.empty() && !records_due) {
      if (stopping_ && records_.empty())
        return; // everything queued is written
      if (records_.empty())
        wake_.wait(lock);
      else
        wake_.wait_until(lock, oldest_ + options_.flush_every);
      continue;
    }
    // Everything that came while the last transaction ran goes into the next one.
    auto admissions = std::exchange(admissions_, {});
    std::vector<key_settlement> records;
    if (records_due)
      records.swap(records_);
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
    if (!records.empty())
      write_records(records);
    lock.lock();
    if (!records.empty()) {
      done_ += records.size();
      written_.notify_all();
    }
  }
}

} // namespace et::store
