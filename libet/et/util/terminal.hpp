#pragma once
/// Making untrusted text (model answers, upstream error messages) safe to show on a terminal.
///
/// A model can write bytes that a terminal obeys instead of showing: ESC sequences (OSC 52
/// writes the clipboard, OSC 0/2 sets the window title, CSI clears the screen or moves the
/// cursor to overwrite what was printed), their 8-bit C1 forms (U+0080..U+009F, e.g. U+009B
/// is CSI), BEL, backspace and a lone CR that rewinds the line. On a terminal et shows such
/// bytes in caret notation instead, so they are visible and inert:
///
/// - newline and tab are kept; CR LF becomes LF; any other C0 control byte 0xNN is shown as
///   `^` followed by the byte + 0x40 (ESC is `^[`, BEL `^G`, backspace `^H`, a lone CR `^M`),
///   DEL as `^?`;
/// - a C1 control U+0080..U+009F is shown as its 7-bit equivalent ESC + (cp - 0x40), so
///   U+009B (CSI) is `^[[` and U+009D (OSC) is `^[]`;
/// - a bidirectional control (U+202E and the rest, is_bidi_control) is shown as `<U+202E>`:
///   unseen, it shows code in another order than it has ("Trojan Source");
/// - bytes that are not UTF-8 (a stray 0x9B, overlong forms, surrogates, truncated
///   sequences) become U+FFFD, since some terminals take a raw 0x9B for CSI.
///
/// Only the introducers are neutralised: the rest of a sequence (`]52;c;...`) is plain text.
/// Output to a pipe or a file is not touched at all (et stays byte-exact there).

#include <mutex>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

namespace et {

/// A stateful sanitiser for a stream cut into chunks at arbitrary bytes: an incomplete UTF-8
/// sequence or a CR at the end of a chunk is held until the next one shows how it ends.
class terminal_sanitizer {
public:
  /// The safe text for `chunk` (may hold back up to 3 bytes of it for the next call).
  std::string feed(std::string_view chunk);
  /// The safe text for what is still held (a truncated sequence becomes U+FFFD, a CR `^M`);
  /// the sanitiser is then fresh again.
  std::string finish();
  /// True when bytes are held back.
  bool holding() const { return !held_.empty() || pending_cr_; }

private:
  std::string held_;        // the start of a UTF-8 sequence cut by the chunk's end
  bool pending_cr_ = false; // a CR whose next byte decides: LF (kept as LF) or not (^M)
};

/// `text` made safe in one go (feed then finish).
std::string sanitize_for_terminal(std::string_view text);

/// A streambuf that sanitises everything written through it into `target`; et puts one on
/// std::cout and std::cerr when they are terminals, so every line reaching the terminal is
/// covered, whatever code printed it. Writes pass straight through (no buffering of its own
/// beyond the bytes the sanitiser must hold). et's own escape codes (the live view, the tmux
/// pane title) go to raw() instead.
class sanitizing_streambuf : public std::streambuf {
public:
  /// Sanitises into `target`, which must outlive this.
  explicit sanitizing_streambuf(std::streambuf* target);
  /// Writes out what is still held (finish()).
  ~sanitizing_streambuf() override;
  sanitizing_streambuf(const sanitizing_streambuf&) = delete;
  sanitizing_streambuf& operator=(const sanitizing_streambuf&) = delete;

  /// A stream writing to the target unfiltered, for et's own control sequences.
  std::ostream& raw() { return raw_; }
  /// The buffer sanitised into.
  std::streambuf* target() const { return target_; }

protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

private:
  bool put(std::string_view text);
  std::streambuf* target_;
  std::ostream raw_;
  terminal_sanitizer sanitizer_;
  /// One writer at a time: CAF's printer thread (aout) writes to std::cout while the main
  /// thread streams an answer, and the sanitizer holds state between writes.
  std::mutex mutex_;
};

/// The unfiltered stream under `s` when `s` writes through a sanitizing_streambuf, else `s`.
std::ostream& unsanitized(std::ostream& s);

} // namespace et
