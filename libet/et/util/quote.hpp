#pragma once
/// Untrusted text in a prompt (project files, web pages, other models' answers), set apart by
/// marks it cannot forge. Each prompt draws a random tag that occurs in none of the texts it
/// quotes; a quote begins with "<<<BEGIN tag source>>>" and ends with "<<<END tag>>>", so a
/// text cannot close its quote early, open a forged one, or pass for another source.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace et {

/// 16 random hex digits.
std::string random_tag();

/// The marks of one prompt.
class quote_marks {
public:
  /// Marks whose tag occurs in none of `texts` (the texts to quote and their sources).
  /// `draw` makes candidate tags: tests pass their own.
  explicit quote_marks(const std::vector<std::string_view>& texts,
                       const std::function<std::string()>& draw = random_tag);

  /// `text` between its marks; the begin mark names `source` (on one line, bounded). A text
  /// that holds the tag after all (one not given to the constructor) has it struck out.
  std::string quote(std::string_view text, std::string_view source = {}) const;

  /// The sentence that tells a model what the marks mean.
  std::string rule() const;

  /// The tag.
  const std::string& tag() const { return tag_; }

private:
  std::string tag_;
};

/// `answer` without marks a model echoed around it: a first or last line that is a begin or
/// end mark of any tag is dropped (a model asked to revise a quoted text may repeat them).
std::string without_echoed_marks(std::string answer);

} // namespace et
