#pragma once
/// The line `et chat` edits at a terminal: keys in, a question (or the end of input) out.
///
/// The terminal is an edge like any other: its bytes are keys only while they are typed. A
/// bracketed paste (the terminal wraps pasted text in ESC[200~ ... ESC[201~ once asked to) is
/// text, whatever it holds: its line breaks stay line breaks in one question instead of sending
/// one question per line, and an ESC sequence, a CR or a Ctrl-C inside it is never acted on
/// ("pastejacking"). Control bytes in a paste other than tab and line breaks are dropped. A
/// question holds at most `max_bytes` (what is past it is dropped, and said so: too_long), an
/// escape sequence at most 32 bytes, and the history at most `default_history_bytes` (the
/// oldest entries go first).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace et::chat {

/// What a byte fed to the editor completed.
enum class edit_event : uint8_t {
  none,         ///< nothing yet (the middle of a key or of a paste)
  changed,      ///< the line or the cursor moved: draw it again
  submit,       ///< Enter (but after a backslash, or as Alt-Enter: a line break)
  end,          ///< Ctrl-D on an empty line: no more input
  interrupt,    ///< Ctrl-C on an empty line
  cancel,       ///< Ctrl-C on a line with text: the text was dropped
  clear_screen, ///< Ctrl-L
  suspend,      ///< Ctrl-Z
  too_long,     ///< input past max_bytes was dropped
};

/// A line editor as a state machine, free of any terminal: feed it the bytes read, act on
/// the events, draw text() with cursor() (render_line) after each `changed`.
class line_editor {
public:
  /// The history kept for Up and Down, at most this many bytes (the oldest go first).
  static constexpr size_t default_history_bytes = size_t{16} << 20;

  /// A question of at most `max_bytes`, a history of at most `max_history` bytes.
  explicit line_editor(size_t max_bytes = size_t{4} << 20,
                       size_t max_history = default_history_bytes);

  /// Takes one byte from the terminal; returns what it completed.
  edit_event feed(char byte);

  /// The text being edited (line breaks as '\n').
  const std::string& text() const { return text_; }
  /// The cursor as a byte offset into text(), always at the start of a code point.
  size_t cursor() const { return cursor_; }
  /// True inside a bracketed paste (more text is coming).
  bool pasting() const { return mode_ == mode::paste; }

  /// The line after a submit, added to the history; the editor starts a new empty line.
  std::string take();
  /// Drops the line being edited (after cancel).
  void clear();
  /// Ends a paste whose end marker never came: what follows is keys again.
  void end_paste();
  /// The most a question holds, in bytes.
  size_t max_bytes() const { return max_bytes_; }

  /// Entries of the history, oldest first.
  const std::vector<std::string>& history() const { return history_; }

private:
  enum class mode : uint8_t { key, escape, csi, ss3, paste };

  edit_event key(unsigned char c);
  edit_event control(unsigned char c);
  edit_event sequence(std::string_view csi, char final_byte);
  edit_event paste_byte(char byte);
  edit_event paste_text(char byte);
  edit_event insert(std::string_view bytes);
  edit_event utf8_byte(unsigned char c);

  edit_event move_to(size_t at);
  edit_event erase(size_t from, size_t to);
  edit_event browse(int step);
  edit_event vertical(int step);
  size_t prev_char(size_t at) const;
  size_t next_char(size_t at) const;
  size_t line_start(size_t at) const;
  size_t line_end(size_t at) const;
  size_t word_left(size_t at) const;
  size_t word_right(size_t at) const;
  void remember(const std::string& line);

  size_t max_bytes_;
  size_t max_history_;
  std::string text_;
  size_t cursor_ = 0;
  mode mode_ = mode::key;
  std::string seq_;         // an escape sequence or a paste's possible end marker so far
  std::string utf8_;        // a multi-byte character so far
  bool paste_cr_ = false;   // a paste's CR whose LF (if next) belongs to it
  bool overflowed_ = false; // this line already said too_long
  std::vector<std::string> history_;
  size_t history_bytes_ = 0;
  size_t browsing_ = 0; // index into history_ while browsing; history_.size() = the draft
  std::string draft_;   // the line being written when browsing began
};

} // namespace et::chat
