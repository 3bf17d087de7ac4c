#include "et/wire/sse.hpp"

namespace et::wire {

void sse_decoder::feed(std::string_view bytes) {
  compact();
  buffer_.append(bytes);
}

void sse_decoder::compact() {
  // Moving the unconsumed tail to the front once per feed keeps the buffer as
  // small as the longest line, without shifting bytes on every line.
  if (pos_ == 0)
    return;
  buffer_.erase(0, pos_);
  scan_ = scan_ > pos_ ? scan_ - pos_ : 0;
  pos_ = 0;
}

bool sse_decoder::take_line(std::string_view& line) {
  const char* base = buffer_.data();
  size_t size = buffer_.size();
  if (skip_lf_ && pos_ < size) {
    skip_lf_ = false;
    if (base[pos_] == '\n') {
      ++pos_;
      scan_ = pos_;
    }
  }
  for (size_t i = scan_ < pos_ ? pos_ : scan_; i < size; ++i) {
    char c = base[i];
    if (c != '\n' && c != '\r')
      continue;
    line = std::string_view{base + pos_, i - pos_};
    pos_ = i + 1;
    if (c == '\r') {
      if (pos_ < size) {
        if (base[pos_] == '\n')
          ++pos_;
      } else {
        skip_lf_ = true; // the "\n" may arrive with the next feed
      }
    }
    scan_ = pos_;
    return true;
  }
  scan_ = size;
  return false;
}

bool sse_decoder::dispatch(sse_event& out) {
  bool has = has_data_;
  has_fields_ = false;
  if (!has) {
    name_.clear();
    return false;
  }
  out.name = name_;
  out.data = data_;
  out.id = id_;
  has_data_ = false;
  return true;
}

bool sse_decoder::process(std::string_view line, sse_event& out) {
  if (line.empty())
    return dispatch(out);
  if (line.front() == ':')
    return false; // a comment, e.g. a keep-alive
  auto colon = line.find(':');
  auto field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
  }
  if (!has_fields_) {
    // The previous event's views were handed out until now; reuse the storage.
    has_fields_ = true;
    data_.clear();
    name_.clear();
  }
  if (field == "data") {
    if (has_data_)
      data_ += '\n';
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    name_.assign(value);
  } else if (field == "id" && value.find('\0') == std::string_view::npos) {
    id_.assign(value);
  }
  return false;
}

bool sse_decoder::next(sse_event& out) {
  std::string_view line;
  while (take_line(line))
    if (process(line, out))
      return true;
  return false;
}

bool sse_decoder::flush(sse_event& out) {
  if (next(out))
    return true;
  bool dispatched = false;
  if (pos_ < buffer_.size())
    dispatched = process(std::string_view{buffer_}.substr(pos_), out);
  pos_ = buffer_.size();
  scan_ = pos_;
  skip_lf_ = false;
  return dispatched || process({}, out);
}

bool sse_decoder::pending() const {
  return pos_ < buffer_.size() || has_fields_;
}

} // namespace et::wire
