#include "et/plan/decompose.hpp"

#include <optional>

#include "et/plan/dependencies.hpp"
#include "et/plan/items.hpp"
#include "et/plan/markdown.hpp"
#include "et/plan/markers.hpp"
#include "et/util/text.hpp"

namespace et::plan {

namespace {

// What one line of the answer is, once sections and fences are known.
struct line_info {
  std::string_view text;
  bool fenced = false;
  section where = section::none;
  section opens = section::none; // for headings and labels: the section they name
  size_t level = 0;              // heading level; labels are 7, weaker than any heading
  bool label = false;            // opens the summary or subtasks section: not content
  std::string_view label_rest;   // text after an inline "Summary:" label
  bool other_heading = false;    // a heading that is neither label nor item
  bool rule = false;             // a thematic break: structure, never content
  std::optional<item_line> item;
};

// A line as written: a heading, a label, an item or prose.
line_info classify(std::string_view text, bool fenced) {
  line_info info;
  info.text = text;
  info.fenced = fenced;
  if (fenced)
    return info;
  if (is_rule(text)) {
    info.rule = true;
  } else if (auto h = parse_heading(text)) {
    info.item = parse_heading_item(h->text);
    info.other_heading = !info.item;
    info.opens = info.item ? section::none : section_of_title(h->text);
    info.level = h->level;
  } else if (auto l = parse_section_label(text)) {
    info.label = true;
    info.label_rest = l->rest;
    info.opens = l->opens;
    info.level = 7;
  } else {
    info.item = parse_item(text);
  }
  return info;
}

struct document {
  std::vector<line_info> lines;
  bool has_summary = false;
  bool has_subtasks = false;
};

// Assigns every line its section. Deeper headings stay inside the summary or
// subtasks section; items never change the section, except that without a
// subtasks section the first list item ends the summary (the first numbered
// one when there are numbered items: bullets often illustrate a summary).
void assign_sections(document& doc, bool any_numbered) {
  section current = section::none;
  size_t level = 0;
  for (auto& info : doc.lines) {
    bool names_section = info.label || info.other_heading;
    bool nested = info.other_heading && info.opens == section::other && info.level > level
                  && (current == section::summary || current == section::subtasks);
    if (names_section && !nested) {
      current = info.opens;
      level = info.level;
      info.label = current != section::other;
      info.other_heading = !info.label;
    } else if (info.item && current == section::summary && !doc.has_subtasks
               && (!any_numbered || info.item->kind != item_kind::bullet)) {
      current = section::none;
    }
    info.where = current;
    doc.has_summary = doc.has_summary || (info.label && current == section::summary);
  }
}

document read_document(std::string_view text) {
  document doc;
  auto lines = split_lines(text);
  auto fenced = fenced_lines(lines);
  bool any_numbered = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& info = doc.lines.emplace_back(classify(lines[i], fenced[i]));
    any_numbered = any_numbered || (info.item && info.item->kind != item_kind::bullet);
    doc.has_subtasks = doc.has_subtasks || info.opens == section::subtasks;
  }
  assign_sections(doc, any_numbered);
  return doc;
}

bool eligible(const document& doc, const line_info& info) {
  if (info.label)
    return false;
  return doc.has_subtasks ? info.where == section::subtasks : info.where != section::summary;
}

// The style and indentation of top-level items: the least indented items, and
// of those the strongest kind.
std::optional<std::pair<item_kind, size_t>> top_level(const document& doc) {
  std::optional<std::pair<item_kind, size_t>> top;
  for (const auto& info : doc.lines) {
    if (!info.item || !eligible(doc, info))
      continue;
    std::pair<item_kind, size_t> candidate{info.item->kind, info.item->indent};
    if (!top || candidate.second < top->second
        || (candidate.second == top->second && candidate.first < top->first))
      top = candidate;
  }
  return top;
}

// An item as it is being collected.
struct draft {
  int written = 0;
  size_t column = 0;
  bool heading = false;
  std::vector<std::string> lines;
  item_markers markers;
};

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Code keeps every byte; prose loses its markers and trailing space.
void add_line(draft& d, std::string_view line, bool fenced) {
  auto text = dedent(line, d.column);
  if (fenced) {
    d.lines.emplace_back(text);
    return;
  }
  // Blank lines separate paragraphs; one is enough.
  if (trim(text).empty()) {
    if (!d.lines.empty() && !d.lines.back().empty())
      d.lines.emplace_back();
    return;
  }
  d.lines.emplace_back(rtrim(take_markers(text, d.markers)));
}

// Folds the document's eligible lines into items: top-level items start one,
// everything else continues the current one or waits (prose after a blank line
// or heading) until the next item shows it was not a sign-off.
class folder {
public:
  folder(item_kind kind, size_t indent) : kind_(kind), indent_(indent) {}

  void feed(const line_info& info) {
    if (is_top(info))
      start(*info.item);
    else if (items_.empty())
      return; // the preamble is collected separately
    else if (info.fenced)
      continued(info, true);
    else if (info.other_heading || info.rule)
      detached_ = true; // headings and rules between items are structure, not content
    else if (trim(info.text).empty())
      blank();
    else
      continued(info, false);
  }

  /// True when `info` starts a top-level item.
  bool is_top(const line_info& info) const {
    return info.item && info.item->kind == kind_ && info.item->indent <= indent_;
  }

  // A line outside the eligible region ends the current item for good.
  void interrupt() {
    pending_.clear();
    closed_ = !items_.empty();
  }

  std::vector<draft> take_items() { return std::move(items_); }

private:
  void start(const item_line& item) {
    flush_pending();
    draft d;
    d.written = item.number;
    d.column = item.content_column;
    d.heading = item.kind == item_kind::heading;
    d.lines.emplace_back(rtrim(take_markers(item.text, d.markers)));
    items_.push_back(std::move(d));
    detached_ = closed_ = false;
  }

  void blank() {
    if (closed_)
      return;
    if (!pending_.empty()) {
      pending_.push_back({{}, false});
      return;
    }
    detached_ = detached_ || !items_.back().heading;
    add_line(items_.back(), {}, false);
  }

  void continued(const line_info& info, bool fenced) {
    if (closed_)
      return;
    bool outdented = !fenced && indent_of(info.text) < items_.back().column;
    if (!pending_.empty() || (detached_ && (outdented || items_.back().heading)))
      pending_.push_back({info.text, fenced});
    else
      add_line(items_.back(), info.text, fenced);
  }

  // Prose between two items belongs to the first; after the last it is a sign-off.
  void flush_pending() {
    if (items_.empty() || pending_.empty())
      return;
    auto& d = items_.back();
    add_line(d, {}, false);
    for (auto& [text, fenced] : pending_)
      add_line(d, text, fenced);
    pending_.clear();
  }

  item_kind kind_;
  size_t indent_;
  std::vector<draft> items_;
  std::vector<std::pair<std::string_view, bool>> pending_;
  bool detached_ = false; // after a blank line or heading: outdented prose is not the item's
  bool closed_ = false;   // the item's section ended
};

// Joins lines; leading and trailing blank lines go.
std::string join_lines(const std::vector<std::string>& lines) {
  return std::string{trim(join(lines, "\n"))};
}

std::string prose(const std::vector<std::string_view>& lines) {
  draft d;
  for (auto line : lines)
    add_line(d, line, false);
  return join_lines(d.lines);
}

std::string explicit_summary(const document& doc) {
  std::vector<std::string_view> lines;
  for (const auto& info : doc.lines) {
    if (info.where != section::summary || info.rule)
      continue;
    if (info.label && !info.label_rest.empty())
      lines.push_back(info.label_rest);
    else if (!info.label)
      lines.push_back(info.text);
  }
  return prose(lines);
}

// No list: everything but the summary is the one subtask.
draft whole_text(const document& doc) {
  draft d;
  for (const auto& info : doc.lines)
    if (!info.label && !info.rule && info.where != section::summary)
      add_line(d, info.text, info.fenced);
  return d;
}

std::vector<draft> fold(const document& doc, std::vector<std::string_view>& preamble) {
  auto top = top_level(doc);
  if (!top)
    return {};
  folder f{top->first, top->second};
  bool started = false;
  for (const auto& info : doc.lines) {
    if (eligible(doc, info)) {
      f.feed(info);
      started = true;
    } else if (started) {
      f.interrupt();
    }
  }
  for (const auto& info : doc.lines) {
    if (eligible(doc, info) && f.is_top(info))
      break;
    if (!info.label && !info.other_heading && !info.rule && info.where != section::subtasks)
      preamble.push_back(info.text);
  }
  return f.take_items();
}

std::vector<proposed_item> to_proposed(std::vector<draft> drafts) {
  std::vector<proposed_item> out;
  for (auto& d : drafts) {
    proposed_item p;
    p.written = d.written;
    p.text = join_lines(d.lines);
    p.depends_on = std::move(d.markers.depends_on);
    p.specialist = std::move(d.markers.specialist);
    out.push_back(std::move(p));
  }
  return out;
}

} // namespace

result<decomposition> parse_decomposition(std::string_view text, size_t max_subtasks) {
  if (trim(text).empty())
    return make_failure(errc::invalid_input, "the decomposition is empty");
  auto doc = read_document(text);
  decomposition out;
  std::vector<std::string_view> preamble;
  auto drafts = fold(doc, preamble);
  out.summary = doc.has_summary ? explicit_summary(doc) : std::string{};
  if (drafts.empty()) {
    drafts.push_back(whole_text(doc));
    if (join_lines(drafts.back().lines).empty())
      drafts.back().lines = {out.summary};
  } else if (!doc.has_summary) {
    out.summary = prose(preamble);
  }
  number_subtasks(out, to_proposed(std::move(drafts)), max_subtasks);
  if (out.subtasks.empty())
    return make_failure(errc::invalid_input, "the decomposition names no subtask");
  // The repairs above leave a valid plan; this guards the executor against a
  // plan it could never finish should they miss a case.
  auto cap = max_subtasks == 0 ? max_plan_subtasks : max_subtasks;
  if (auto valid = validate_plan(out.subtasks, cap); !valid)
    return make_failure(errc::invalid_input, "the decomposition: " + valid.error().message);
  return out;
}

} // namespace et::plan
