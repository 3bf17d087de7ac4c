#include "et/chat/line_editor.hpp"

#include "et/util/text.hpp"

namespace et::chat {

namespace {

// A terminal's longest key sequence is a dozen bytes; anything longer is not a key.
constexpr size_t max_sequence = 32;

constexpr std::string_view paste_end = "\x1b[201~";

// The stronger of two events met in one run of bytes: too_long must not hide behind changed.
edit_event stronger(edit_event a, edit_event b) {
  return static_cast<uint8_t>(b) > static_cast<uint8_t>(a) && b != edit_event::none ? b : a;
}

bool is_word(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || u == '_' || (u >= '0' && u <= '9')
         || ((u | 0x20) >= 'a' && (u | 0x20) <= 'z');
}

// The length of a UTF-8 sequence from its lead byte (0xC2..0xF4).
size_t sequence_length(unsigned char lead) {
  return lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
}

} // namespace

line_editor::line_editor(size_t max_bytes, size_t max_history)
    : max_bytes_(max_bytes), max_history_(max_history) {}

edit_event line_editor::feed(char byte) {
  auto c = static_cast<unsigned char>(byte);
  switch (mode_) {
    case mode::paste:
      return paste_byte(byte);
    case mode::escape:
      mode_ = mode::key;
      if (c < 0x20 && c != '\r' && c != '\n' && c != 0x1B)
        return key(c); // a lone Esc, then Ctrl-C or Ctrl-D: the key still counts
      if (c == '[' || c == 'O') {
        mode_ = c == '[' ? mode::csi : mode::ss3;
        seq_.clear();
        return edit_event::none;
      }
      if (c == '\r' || c == '\n') // Alt-Enter: a line break
        return insert("\n");
      if (c == 'b')
        return move_to(word_left(cursor_));
      if (c == 'f')
        return move_to(word_right(cursor_));
      if (c == 0x7F)
        return erase(word_left(cursor_), cursor_);
      if (c == 0x1B) {
        mode_ = mode::escape;
        return edit_event::none;
      }
      return edit_event::none; // another Alt key: not one of ours
    case mode::csi:
      if (c >= 0x40 && c <= 0x7E) {
        mode_ = mode::key;
        return sequence(seq_, byte);
      }
      if (c >= 0x20 && c < 0x40 && seq_.size() < max_sequence) {
        seq_.push_back(byte);
        return edit_event::none;
      }
      mode_ = mode::key; // not a sequence after all: it is dropped, the byte is a key
      seq_.clear();
      return key(c);
    case mode::ss3:
      mode_ = mode::key;
      if (c < 0x20 || c == 0x7F)
        return key(c); // not a key's sequence after all
      return sequence("", byte);
    case mode::key:
      break;
  }
  return key(c);
}

edit_event line_editor::key(unsigned char c) {
  if (!utf8_.empty() && (c & 0xC0) != 0x80)
    utf8_.clear(); // a character cut short: dropped
  if (c >= 0x80)
    return utf8_byte(c);
  if (c == 0x1B) {
    mode_ = mode::escape;
    return edit_event::none;
  }
  if (c < 0x20 || c == 0x7F)
    return control(c);
  return insert(std::string_view{reinterpret_cast<const char*>(&c), 1});
}

edit_event line_editor::utf8_byte(unsigned char c) {
  if (utf8_.empty()) {
    if (c >= 0xC2 && c <= 0xF4)
      utf8_.push_back(static_cast<char>(c));
    return edit_event::none; // a stray continuation or a byte UTF-8 never has: dropped
  }
  utf8_.push_back(static_cast<char>(c));
  if (utf8_.size() < sequence_length(static_cast<unsigned char>(utf8_[0])))
    return edit_event::none;
  std::string ch;
  ch.swap(utf8_);
  if (utf8_sequence(ch, 0) != ch.size())
    return edit_event::none; // overlong, a surrogate or past U+10FFFF
  return insert(ch);
}

edit_event line_editor::control(unsigned char c) {
  switch (c) {
    case '\r':
    case '\n': // Enter where the terminal sends LF, or typed ahead while the tty cooked it
      // A backslash at the end turns Enter into a line break, as in a shell.
      if (cursor_ == text_.size() && !text_.empty() && text_.back() == '\\') {
        text_.back() = '\n';
        return edit_event::changed;
      }
      return edit_event::submit;
    case '\t':
      return insert(std::string_view{reinterpret_cast<const char*>(&c), 1});
    case 0x7F:
    case 0x08:
      return erase(prev_char(cursor_), cursor_);
    case 0x01:
      return move_to(line_start(cursor_));
    case 0x05:
      return move_to(line_end(cursor_));
    case 0x02:
      return move_to(prev_char(cursor_));
    case 0x06:
      return move_to(next_char(cursor_));
    case 0x0B: // Ctrl-K at a line's end joins the next line to it, as in Emacs
      return erase(cursor_, line_end(cursor_) == cursor_ ? next_char(cursor_) : line_end(cursor_));
    case 0x15:
      return erase(line_start(cursor_), cursor_);
    case 0x17:
      return erase(word_left(cursor_), cursor_);
    case 0x04:
      return text_.empty() ? edit_event::end : erase(cursor_, next_char(cursor_));
    case 0x03:
      if (text_.empty())
        return edit_event::interrupt;
      clear();
      return edit_event::cancel;
    case 0x0C:
      return edit_event::clear_screen;
    case 0x1A:
      return edit_event::suspend;
    case 0x10:
      return vertical(-1);
    case 0x0E:
      return vertical(1);
    default:
      return edit_event::none;
  }
}

edit_event line_editor::sequence(std::string_view params, char final_byte) {
  // A modifier (";5" Ctrl, ";3" Alt) on Left and Right moves by words.
  bool by_word = params.find(';') != std::string_view::npos;
  switch (final_byte) {
    case 'A':
      return vertical(-1);
    case 'B':
      return vertical(1);
    case 'C':
      return move_to(by_word ? word_right(cursor_) : next_char(cursor_));
    case 'D':
      return move_to(by_word ? word_left(cursor_) : prev_char(cursor_));
    case 'H':
      return move_to(line_start(cursor_));
    case 'F':
      return move_to(line_end(cursor_));
    case '~':
      break;
    default:
      return edit_event::none;
  }
  if (params == "1" || params == "7")
    return move_to(line_start(cursor_));
  if (params == "4" || params == "8")
    return move_to(line_end(cursor_));
  if (params == "3")
    return erase(cursor_, next_char(cursor_));
  if (params == "200") {
    mode_ = mode::paste;
    seq_.clear();
    paste_cr_ = false;
  }
  return edit_event::none;
}

edit_event line_editor::paste_byte(char byte) {
  if (seq_.empty() && byte != '\x1b')
    return paste_text(byte);
  seq_.push_back(byte);
  if (paste_end.starts_with(seq_)) {
    if (seq_.size() < paste_end.size())
      return edit_event::none;
    seq_.clear();
    mode_ = mode::key;
    return edit_event::changed;
  }
  // Not the end marker: its ESC is a control byte (dropped), the rest is text again, and may
  // itself start the marker.
  std::string rest = seq_.substr(1);
  seq_.clear();
  auto event = edit_event::none;
  for (char r : rest)
    event = stronger(event, paste_byte(r));
  return event;
}

edit_event line_editor::paste_text(char byte) {
  auto c = static_cast<unsigned char>(byte);
  bool after_cr = paste_cr_;
  paste_cr_ = c == '\r';
  if (!utf8_.empty() && (c & 0xC0) != 0x80)
    utf8_.clear();
  if (c >= 0x80)
    return utf8_byte(c);
  if (c == '\r' || (c == '\n' && !after_cr)) // terminals paste line breaks as CR
    return insert("\n");
  if (c == '\t' || (c >= 0x20 && c != 0x7F))
    return insert(std::string_view{&byte, 1});
  return edit_event::none; // the LF of a CR LF, or a control byte: not text
}

edit_event line_editor::insert(std::string_view bytes) {
  if (text_.size() + bytes.size() > max_bytes_) {
    if (overflowed_)
      return edit_event::none;
    overflowed_ = true;
    return edit_event::too_long;
  }
  overflowed_ = false;
  text_.insert(cursor_, bytes);
  cursor_ += bytes.size();
  return edit_event::changed;
}

edit_event line_editor::move_to(size_t at) {
  cursor_ = at;
  return edit_event::changed;
}

edit_event line_editor::erase(size_t from, size_t to) {
  if (from >= to)
    return edit_event::none;
  text_.erase(from, to - from);
  cursor_ = from;
  return edit_event::changed;
}

// Up on the first line of the text (Down on its last) goes through the history; elsewhere it
// moves to the line above (below), as near the same column as that line allows.
edit_event line_editor::vertical(int step) {
  auto start = line_start(cursor_);
  size_t column = 0;
  for (auto at = start; at < cursor_; at = next_char(at))
    ++column;
  size_t target = 0;
  if (step < 0) {
    if (start == 0)
      return browse(-1);
    target = line_start(start - 1);
  } else {
    auto end = line_end(cursor_);
    if (end == text_.size())
      return browse(1);
    target = end + 1;
  }
  auto end = line_end(target);
  for (; column > 0 && target < end; --column)
    target = next_char(target);
  return move_to(target);
}

edit_event line_editor::browse(int step) {
  if (step < 0) {
    if (browsing_ == 0)
      return edit_event::none;
    if (browsing_ == history_.size())
      draft_ = text_;
    text_ = history_[--browsing_];
  } else {
    if (browsing_ >= history_.size())
      return edit_event::none;
    ++browsing_;
    text_ = browsing_ == history_.size() ? std::move(draft_) : history_[browsing_];
  }
  cursor_ = text_.size();
  return edit_event::changed;
}

size_t line_editor::prev_char(size_t at) const {
  while (at > 0 && (static_cast<unsigned char>(text_[--at]) & 0xC0) == 0x80) {
  }
  return at;
}

size_t line_editor::next_char(size_t at) const {
  if (at >= text_.size())
    return text_.size();
  ++at;
  while (at < text_.size() && (static_cast<unsigned char>(text_[at]) & 0xC0) == 0x80)
    ++at;
  return at;
}

size_t line_editor::line_start(size_t at) const {
  if (at == 0)
    return 0;
  auto nl = text_.rfind('\n', at - 1);
  return nl == std::string::npos ? 0 : nl + 1;
}

size_t line_editor::line_end(size_t at) const {
  auto nl = text_.find('\n', at);
  return nl == std::string::npos ? text_.size() : nl;
}

size_t line_editor::word_left(size_t at) const {
  while (at > 0 && !is_word(text_[at - 1]))
    at = prev_char(at);
  while (at > 0 && is_word(text_[at - 1]))
    at = prev_char(at);
  return at;
}

size_t line_editor::word_right(size_t at) const {
  while (at < text_.size() && !is_word(text_[at]))
    at = next_char(at);
  while (at < text_.size() && is_word(text_[at]))
    at = next_char(at);
  return at;
}

std::string line_editor::take() {
  std::string line;
  line.swap(text_);
  clear();
  remember(line);
  browsing_ = history_.size();
  return line;
}

void line_editor::clear() {
  text_.clear();
  cursor_ = 0;
  overflowed_ = false;
  utf8_.clear();
  browsing_ = history_.size();
  draft_.clear();
}

void line_editor::end_paste() {
  if (mode_ == mode::paste)
    mode_ = mode::key;
  seq_.clear(); // a part of the end marker: not text
}

void line_editor::remember(const std::string& line) {
  if (line.empty() || (!history_.empty() && history_.back() == line))
    return;
  history_.push_back(line);
  history_bytes_ += line.size();
  size_t dropped = 0;
  while (history_bytes_ > max_history_ && history_.size() - dropped > 1)
    history_bytes_ -= history_[dropped++].size();
  history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(dropped));
}

} // namespace et::chat
