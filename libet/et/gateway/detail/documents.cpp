// Documents in client requests (see documents.hpp).

#include "et/gateway/detail/documents.hpp"

#include "et/gateway/detail/attachments.hpp"
#include "et/gateway/detail/fields.hpp"
#include "et/gateway/detail/images.hpp"
#include "et/gateway/detail/tools.hpp"
#include "et/gateway/errors.hpp"

namespace et::gateway::detail {

namespace json = boost::json;

namespace {

// OpenAI's file_data: a data URL, or the base64 alone (both APIs document it as "the base64
// encoded file data" and show a data URL).
result<image> file_data(std::string data, const std::string& field, const limits& bounds) {
  if (is_data_url(data))
    return attachment_of_url(std::move(data), field, bounds, attachment::document);
  return attachment_bytes(pdf_media_type, std::move(data), field, bounds, attachment::document);
}

// The document whose data is the member `key` of `o` (named `field`).
result<image> data_member(const json::object& o, const char* key, const std::string& field,
                          const limits& bounds) {
  auto data = required_string(o, key, field, bounds.max_image_bytes + 64);
  if (!data)
    return std::move(data).error();
  return file_data(std::move(*data), field + "." + key, bounds);
}

// The document whose link is the member `key` of `o` (named `field`).
result<image> link_member(const json::object& o, const char* key, const std::string& field,
                          const limits& bounds) {
  auto link = required_string(o, key, field, bounds.max_link_bytes);
  if (!link)
    return std::move(link).error();
  return attachment_link(*link, field + "." + key, bounds, attachment::document);
}

// The client's name for a document (`key` of `o`), bounded.
result<void> name_into(const json::object& o, const char* key, const std::string& field,
                       result<image>& doc) {
  auto name = optional_string(o, key, field, max_name);
  if (!name)
    return std::move(name).error();
  if (doc)
    doc->name = std::move(*name);
  return {};
}

// A document's context (what the model should know of it, e.g. where it comes from), between
// tags of its own, as every upstream reads it (Anthropic's own field only exists on its API).
std::string context_text(const std::string& context) {
  return "<document_context>\n" + context + (context.back() == '\n' ? "" : "\n")
         + "</document_context>\n";
}

// What starts a new line after the turn's text so far ("" at its start or after a newline).
std::string line_start(const message& turn) {
  return turn.content.empty() || turn.content.back() == '\n' ? "" : "\n";
}

// A text document (`source`, named `field`) into `turn`, between the tags of Anthropic's
// prompting guide for documents.
result<void> text_document(const json::object& source, const std::string& kind,
                           const std::string& title, const std::string& context,
                           const std::string& field, const limits& bounds, message& turn) {
  auto open = line_start(turn) + "<document>\n";
  if (!title.empty())
    open += "<source>" + title + "</source>\n";
  if (auto ok = append_text(turn, open, field, bounds); !ok)
    return ok;
  // The context's own name when it is what outgrows the turn.
  auto context_field = field.substr(0, field.rfind('.')) + ".context";
  if (!context.empty())
    if (auto ok = append_text(turn, context_text(context), context_field, bounds); !ok)
      return ok;
  if (auto ok = append_text(turn, "<document_content>\n", field, bounds); !ok)
    return ok;
  if (kind == "text") {
    if (auto ok = check_members(source, field, {"type", "media_type", "data"}); !ok)
      return ok;
    if (auto ok = one_of(source, "media_type", field, {"text/plain"}); !ok)
      return ok;
    auto data = required_string(source, "data", field, bounds.max_string_bytes);
    if (!data)
      return std::move(data).error();
    if (auto ok = append_text(turn, *data, field + ".data", bounds); !ok)
      return ok;
  } else {
    if (auto ok = check_members(source, field, {"type", "content"}); !ok)
      return ok;
    const auto* content = source.if_contains("content");
    if (content == nullptr)
      return bad_field(field + ".content", "missing");
    if (auto ok =
            parts_into(*content, field + ".content", bounds,
                       {{"text"}, "image", anthropic_image, {"cache_control", "citations"}}, turn);
        !ok)
      return ok;
  }
  auto close = turn.content.back() == '\n' ? "</document_content>\n</document>\n"
                                           : "\n</document_content>\n</document>\n";
  return append_text(turn, close, field, bounds);
}

failure no_stored_files(const std::string& field) {
  return unsupported_field(field, "this gateway stores no files: send the document's bytes "
                                  "in file_data");
}

} // namespace

result<void> openai_document(const json::object& part, const std::string& field,
                             const limits& bounds, message& turn) {
  if (auto ok = check_members(part, field, {"type", "file"}); !ok)
    return ok.error();
  const auto* inner = part.if_contains("file");
  auto f = field + ".file";
  if (inner == nullptr || !inner->is_object())
    return bad_field(f, "expected an object");
  const auto& o = inner->get_object();
  if (auto ok = check_members(o, f, {"file_data", "filename", "file_id"}); !ok)
    return ok.error();
  if (const auto* id = o.if_contains("file_id"); id != nullptr && !id->is_null())
    return no_stored_files(f + ".file_id");
  auto doc = data_member(o, "file_data", f, bounds);
  if (auto ok = name_into(o, "filename", f, doc); !ok)
    return ok.error();
  return attach(std::move(doc), turn);
}

result<void> responses_document(const json::object& part, const std::string& field,
                                const limits& bounds, message& turn) {
  if (auto ok =
          check_members(part, field, {"type", "file_data", "file_url", "filename", "file_id"});
      !ok)
    return ok.error();
  if (const auto* id = part.if_contains("file_id"); id != nullptr && !id->is_null())
    return no_stored_files(field + ".file_id");
  auto given = [&](const char* key) { // null is absent, as OpenAI's SDKs send it
    const auto* v = part.if_contains(key);
    return v != nullptr && !v->is_null();
  };
  bool has_data = given("file_data");
  if (has_data == given("file_url"))
    return bad_field(field, "expected one of file_data and file_url");
  auto doc = has_data ? data_member(part, "file_data", field, bounds)
                      : link_member(part, "file_url", field, bounds);
  if (auto ok = name_into(part, "filename", field, doc); !ok)
    return ok.error();
  return attach(std::move(doc), turn);
}

result<void> anthropic_document(const json::object& part, const std::string& field,
                                const limits& bounds, message& turn) {
  if (auto ok = check_members(part, field,
                              {"type", "source", "title", "context", "citations", "cache_control"});
      !ok)
    return ok.error();
  auto context = optional_string(part, "context", field, bounds.max_string_bytes);
  if (!context)
    return std::move(context).error();
  if (context->find_first_not_of(" \t\r\n") == std::string::npos)
    context->clear(); // nothing to say: no empty tags
  const auto* source = part.if_contains("source");
  const auto* kind =
      source != nullptr && source->is_object() ? source->get_object().if_contains("type") : nullptr;
  if (kind != nullptr && kind->is_string()
      && (kind->get_string() == "text" || kind->get_string() == "content")) {
    auto title = optional_string(part, "title", field, max_name);
    if (!title)
      return std::move(title).error();
    return text_document(source->get_object(), std::string{kind->get_string()}, *title, *context,
                         field + ".source", bounds, turn);
  }
  auto doc = anthropic_source(part, field, bounds, attachment::document,
                              "only base64, url, text and content document sources are "
                              "supported (this gateway stores no files)");
  if (auto ok = name_into(part, "title", field, doc); !ok)
    return ok.error();
  if (auto ok = attach(std::move(doc), turn); !ok || context->empty())
    return ok;
  // A file's context follows it, as text right after it in the turn.
  return append_text(turn, line_start(turn) + context_text(*context), field + ".context", bounds);
}

} // namespace et::gateway::detail
