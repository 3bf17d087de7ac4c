#include "et/wire/ndjson.hpp"

#include <cstring>

namespace et::wire {

namespace {

// Blank lines (keep-alives) carry nothing; a "\r" before "\n" is not content.
std::string_view strip(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
    line.remove_prefix(1);
  return line;
}

} // namespace

void ndjson_decoder::feed(std::string_view bytes) {
  // Drop consumed lines once per feed rather than once per line.
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    scan_ = scan_ > pos_ ? scan_ - pos_ : 0;
    pos_ = 0;
  }
  buffer_.append(bytes);
}

bool ndjson_decoder::next(std::string_view& line) {
  while (true) {
    size_t from = scan_ < pos_ ? pos_ : scan_;
    if (from >= buffer_.size()) {
      scan_ = buffer_.size();
      return false;
    }
    const void* hit = std::memchr(buffer_.data() + from, '\n', buffer_.size() - from);
    if (hit == nullptr) {
      scan_ = buffer_.size(); // an unfinished line is never scanned twice
      return false;
    }
    size_t end = static_cast<size_t>(static_cast<const char*>(hit) - buffer_.data());
    auto candidate = strip(std::string_view{buffer_}.substr(pos_, end - pos_));
    pos_ = end + 1;
    scan_ = pos_;
    if (!candidate.empty()) {
      line = candidate;
      return true;
    }
  }
}

bool ndjson_decoder::flush(std::string_view& line) {
  if (next(line))
    return true;
  auto rest = strip(std::string_view{buffer_}.substr(pos_));
  pos_ = buffer_.size();
  scan_ = pos_;
  if (rest.empty())
    return false;
  line = rest;
  return true;
}

bool ndjson_decoder::pending() const {
  return !strip(std::string_view{buffer_}.substr(pos_)).empty();
}

} // namespace et::wire
