#pragma once
/// Drawing the line `et chat` edits (line_editor) on a terminal: the bytes that redraw it in
/// place after each key, wrapped at the terminal's width, with the cursor where it belongs.
///
/// What the user typed or pasted is shown, never obeyed: a control byte shows in caret
/// notation (`^[`), a bidi control as `<U+202E>`, as util/terminal.hpp shows model text.

#include <cstddef>
#include <string>
#include <string_view>

namespace et::chat {

/// The terminal and the prompts a line is drawn with.
struct line_view {
  std::string_view prompt = "> ";       ///< before the first line (printable ASCII)
  std::string_view continuation = "  "; ///< before each further line (printable ASCII)
  size_t width = 80;                    ///< the terminal's columns
  size_t height = 0; ///< its rows; a text taller than this is summed up in one line (0: never)
};

/// The columns code point `c` takes on a terminal: 0 for combining marks and zero-width
/// characters, 2 for East Asian wide ones and most emoji, 1 otherwise (a guess where terminals
/// disagree; a wrong guess misplaces the cursor, nothing more).
size_t columns_of(char32_t c);

/// The bytes that draw `text` with the cursor at byte offset `cursor`, starting from a
/// terminal cursor `cursor_row` rows below the first row of the previous drawing (0 before
/// the first); sets `cursor_row` for the next drawing.
std::string render_line(const line_view& view, std::string_view text, size_t cursor,
                        size_t& cursor_row);

/// The bytes that end a drawing for good: the cursor goes below the last row of it, so the
/// answer that follows starts on a line of its own.
std::string finish_line(const line_view& view, std::string_view text, size_t& cursor_row);

} // namespace et::chat
