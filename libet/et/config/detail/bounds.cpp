#include "et/config/detail/bounds.hpp"

#include <sstream>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace et::config::detail {

namespace {

// Thrown by the counter to stop the parser at the first limit crossed.
struct limit_crossed {
  YAML::Mark mark;
  std::string message;
};

// What a subtree amounts to once every alias in it is expanded.
struct extent {
  size_t nodes = 0;
  size_t bytes = 0; // of scalars: each copy of a string costs its length again
};

// Counts the nodes and scalar bytes of the expanded tree as events arrive: an
// alias counts as the whole (expanded) subtree of its anchor, recorded when
// that subtree ended.
class counter : public YAML::EventHandler {
public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    leaf(mark, anchor, {1, 0});
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    leaf(mark, anchor, {1, value.size()});
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    // An alias inside its own anchor makes a cycle: a walk would never end.
    for (const auto& f : open_)
      if (f.anchor == anchor)
        throw limit_crossed{mark, "an alias refers to a node that contains it"};
    leaf(mark, YAML::NullAnchor, anchor < sizes_.size() ? sizes_[anchor] : extent{1, 0});
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnMapEnd() override { close(); }

private:
  struct frame {
    extent inside{1, 0}; // itself and everything inside, expanded
    YAML::anchor_t anchor = YAML::NullAnchor;
  };

  void count(const YAML::Mark& mark, extent more) {
    total_.nodes += more.nodes;
    total_.bytes += more.bytes;
    if (total_.nodes > max_expanded_nodes)
      throw limit_crossed{mark, "the document expands to more than "
                                    + std::to_string(max_expanded_nodes)
                                    + " nodes (YAML aliases repeat whole subtrees); refusing it"};
    if (total_.bytes > max_expanded_bytes)
      throw limit_crossed{mark, "the document expands to more than "
                                    + std::to_string(max_expanded_bytes >> 20)
                                    + " MiB of text (YAML aliases repeat whole subtrees); "
                                      "refusing it"};
  }

  void record(YAML::anchor_t anchor, extent s) {
    if (anchor == YAML::NullAnchor)
      return;
    if (sizes_.size() <= anchor)
      sizes_.resize(anchor + 1, extent{1, 0});
    sizes_[anchor] = s;
  }

  void add_to_parent(extent s) {
    if (open_.empty())
      return;
    open_.back().inside.nodes += s.nodes;
    open_.back().inside.bytes += s.bytes;
  }

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, extent s) {
    count(mark, s);
    record(anchor, s);
    add_to_parent(s);
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    count(mark, {1, 0});
    if (open_.size() >= max_depth)
      throw limit_crossed{mark, "nested deeper than " + std::to_string(max_depth) + " levels"};
    open_.push_back({{1, 0}, anchor});
  }

  void close() {
    auto done = open_.back();
    open_.pop_back();
    record(done.anchor, done.inside);
    add_to_parent(done.inside);
  }

  extent total_;
  std::vector<extent> sizes_; // expanded size by anchor id (yaml-cpp numbers them from 1)
  std::vector<frame> open_;
};

} // namespace

std::optional<diagnostic> check_bounds(std::string_view yaml, const std::string& file) {
  std::istringstream in{std::string{yaml}};
  counter c;
  try {
    YAML::Parser parser{in};
    parser.HandleNextDocument(c);
  } catch (const limit_crossed& e) {
    return diagnostic{file, e.mark.line + 1, e.mark.column + 1, "", e.message};
  } catch (const YAML::Exception&) {
    // A syntax error: YAML::Load reports it with its position.
  }
  return std::nullopt;
}

} // namespace et::config::detail
