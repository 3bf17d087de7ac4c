#include "et/context/html_text.hpp"

#include "et/context/html_decode.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <utility>

namespace et::context {

namespace {

using namespace html;

// Elements whose content is not text for a reader.
bool dropped_element(std::string_view name) {
  return name == "script" || name == "style" || name == "noscript" || name == "template"
         || name == "svg" || name == "iframe" || name == "object" || name == "xmp";
}

// How many line breaks an element's start or end makes: 2 for paragraph-like blocks.
int breaks_of(std::string_view n) {
  static constexpr std::array<std::string_view, 13> paragraphs{
      "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "ul", "ol", "dl"};
  static constexpr std::array<std::string_view, 21> lines{
      "br",     "div",    "li",         "tr",      "section", "article", "header",
      "footer", "nav",    "main",       "aside",   "hr",      "dt",      "dd",
      "form",   "figure", "figcaption", "address", "details", "summary", "body"};
  if (std::find(paragraphs.begin(), paragraphs.end(), n) != paragraphs.end())
    return 2;
  if (std::find(lines.begin(), lines.end(), n) != lines.end())
    return 1;
  return 0;
}

class reducer {
public:
  reducer(std::string_view in, size_t max) : in_(in), max_(max) {}

  page_text run() {
    while (pos_ < in_.size() && !full_) {
      if (in_[pos_] == '<' && !text_only_ && tag())
        continue;
      text_char();
    }
    while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\n'))
      out_.pop_back();
    return {std::move(title_), std::move(out_)};
  }

private:
  // Consumes one character (or entity, or UTF-8 sequence) of text at pos_.
  void text_char() {
    char c = in_[pos_];
    if (c == '&') {
      if (auto e = entity_at(in_, pos_)) {
        pos_ += e->second;
        return emit(e->first);
      }
    }
    if (is_space(c)) {
      ++pos_;
      if (pre_ > 0 && c == '\n')
        return line_break(1, true);
      if (pre_ > 0 && (c == ' ' || c == '\t'))
        return emit(std::string_view{&c, 1}, true);
      if (pre_ > 0)
        return; // \r, \f, \v: nothing a reader sees
      space_ = true;
      return;
    }
    size_t n = utf8_length(in_, pos_);
    if (n == 0) {
      ++pos_;
      return emit(replacement);
    }
    auto bytes = in_.substr(pos_, n);
    pos_ += n;
    if (n == 1 && (static_cast<unsigned char>(c) < 0x20 || c == 0x7F))
      return; // control bytes carry nothing readable
    emit(bytes);
  }

  void emit(std::string_view bytes, bool literal = false) {
    if (head_)
      return;
    if (!literal && bytes == " ") {
      space_ = true;
      return;
    }
    if (!out_.empty()) {
      if (breaks_ > 0) {
        while (!out_.empty() && out_.back() == ' ')
          out_.pop_back();
        int have = 0;
        for (auto it = out_.rbegin(); it != out_.rend() && *it == '\n' && have < 2; ++it)
          ++have;
        for (int k = have; k < breaks_; ++k)
          out_ += '\n';
      } else if (space_ && out_.back() != '\n' && out_.back() != ' ') {
        out_ += ' ';
      }
    }
    breaks_ = 0;
    space_ = false;
    if (out_.size() + bytes.size() > max_) {
      full_ = true;
      return;
    }
    out_ += bytes;
  }

  void line_break(int n, bool literal = false) {
    if (literal && !head_ && !out_.empty() && out_.size() < max_) {
      out_ += '\n';
      space_ = false;
      return;
    }
    breaks_ = std::max(breaks_, n);
  }

  // At '<': consumes a tag, comment or declaration and returns true; false when the '<'
  // starts none (it is then text).
  bool tag() {
    size_t i = pos_ + 1;
    if (i >= in_.size())
      return false;
    if (in_.substr(i, 3) == "!--") {
      auto end = in_.find("-->", i + 3);
      pos_ = end == std::string_view::npos ? in_.size() : end + 3;
      return true;
    }
    if (in_[i] == '!' || in_[i] == '?') {
      auto end = in_.find('>', i);
      pos_ = end == std::string_view::npos ? in_.size() : end + 1;
      return true;
    }
    bool closing = in_[i] == '/';
    if (closing)
      ++i;
    if (i >= in_.size() || !is_alpha(in_[i]))
      return false;
    std::string name;
    while (i < in_.size() && (is_alnum(in_[i]) || in_[i] == '-')) {
      if (name.size() < 16)
        name += lower(in_[i]);
      ++i;
    }
    bool self_closing = false;
    pos_ = skip_attributes(i, self_closing);
    element(name, closing, self_closing);
    return true;
  }

  // From after a tag's name to after its '>', quoted attribute values skipped whole.
  size_t skip_attributes(size_t i, bool& self_closing) {
    char previous = ' ';
    while (i < in_.size()) {
      char c = in_[i];
      if (c == '>') {
        self_closing = previous == '/';
        return i + 1;
      }
      if ((c == '"' || c == '\'') && previous == '=') {
        auto end = in_.find(c, i + 1);
        if (end == std::string_view::npos)
          return in_.size();
        i = end + 1;
        previous = c;
        continue;
      }
      if (!is_space(c))
        previous = c;
      ++i;
    }
    return in_.size();
  }

  void element(const std::string& name, bool closing, bool self_closing) {
    if (name == "head") {
      head_ = !closing;
      return;
    }
    if (name == "body" || name == "html") {
      head_ = false;
    }
    if (!closing && !self_closing && name == "title")
      return read_title();
    if (!closing && !self_closing && dropped_element(name))
      return skip_to_end_of(name);
    if (name == "pre")
      pre_ = closing ? std::max(0, pre_ - 1) : std::min(pre_ + 1, 64);
    if (name == "td" || name == "th") {
      space_ = true;
      return;
    }
    if (int n = breaks_of(name))
      line_break(name == "br" ? 1 : n);
  }

  // Position of "</name" (case-insensitive, then space, '/' or '>') from pos_, or the end.
  size_t end_tag(const std::string& name) const {
    for (size_t at = in_.find("</", pos_); at != std::string_view::npos;
         at = in_.find("</", at + 2)) {
      size_t k = 0;
      while (k < name.size() && at + 2 + k < in_.size() && lower(in_[at + 2 + k]) == name[k])
        ++k;
      size_t after = at + 2 + k;
      if (k == name.size()
          && (after >= in_.size() || is_space(in_[after]) || in_[after] == '>'
              || in_[after] == '/'))
        return at;
    }
    return in_.size();
  }

  void skip_to_end_of(const std::string& name) {
    auto at = end_tag(name);
    if (at == in_.size()) {
      pos_ = at;
      return;
    }
    bool ignored = false;
    pos_ = skip_attributes(at + 2 + name.size(), ignored);
  }

  void read_title() {
    auto at = end_tag("title");
    if (title_.empty()) {
      // The title's text through the same decoding, into its own buffer; tags inside a
      // title are text (text_only_), so this never nests.
      reducer inner{in_.substr(pos_, at - pos_), 512};
      inner.text_only_ = true;
      title_ = inner.run().text;
      std::replace(title_.begin(), title_.end(), '\n', ' ');
    }
    pos_ = at;
    if (at < in_.size()) {
      bool ignored = false;
      pos_ = skip_attributes(at + 7, ignored);
    }
  }

  std::string_view in_;
  size_t max_;
  size_t pos_ = 0;
  std::string out_;
  std::string title_;
  int breaks_ = 0;
  int pre_ = 0;
  bool space_ = false;
  bool head_ = false;
  bool full_ = false;
  bool text_only_ = false;
};

} // namespace

page_text html_to_text(std::string_view html, size_t max_bytes) {
  return reducer{html, max_bytes}.run();
}

std::string clean_text(std::string_view text, size_t max_bytes) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    size_t n = utf8_length(text, i);
    std::string_view piece = n == 0 ? replacement : text.substr(i, n);
    i += n == 0 ? 1 : n;
    if (n == 1 && c == '\r' && i < text.size() && text[i] == '\n')
      continue;
    if (n == 1 && ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') || c == 0x7F))
      continue;
    if (out.size() + piece.size() > max_bytes)
      break;
    out += piece;
  }
  return out;
}

} // namespace et::context
