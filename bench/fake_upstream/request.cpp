#include "request.hpp"

#include "images.hpp"
#include "thinking.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>

namespace et::fake {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned v = 0;
    if (s[i] == '%' && i + 2 < s.size()
        && std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16).ptr == s.data() + i + 3) {
      out.push_back(static_cast<char>(v));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

// The value of `key` in a query string, decoded; "" when absent.
std::string query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == key)
      return eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return "";
}

int64_t to_int(std::string_view s, int64_t fallback) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && end == s.data() + s.size() ? v : fallback;
}

// Gemini: "/v1beta/models/{model}:method".
route gemini_route(std::string_view method, std::string_view path, std::string_view query) {
  route r;
  r.proto = protocol::gemini;
  constexpr std::string_view prefix = "/v1beta/models";
  auto rest = path.substr(prefix.size());
  if (rest.empty() || rest == "/") {
    if (method == "GET") {
      r.where = endpoint::gemini_models;
      r.page_size = to_int(query_param(query, "pageSize"), 0);
      r.page_token = query_param(query, "pageToken");
    }
    return r;
  }
  auto colon = rest.rfind(':');
  if (method != "POST" || rest[0] != '/' || colon == std::string_view::npos)
    return r;
  auto verb = rest.substr(colon + 1);
  r.model = percent_decode(rest.substr(1, colon - 1));
  if (verb == "generateContent")
    r.where = endpoint::gemini_generate;
  else if (verb == "streamGenerateContent")
    r.where = endpoint::gemini_stream;
  else if (verb == "batchEmbedContents")
    r.where = endpoint::gemini_embed;
  else if (verb == "countTokens")
    r.where = endpoint::gemini_count;
  r.sse = query_param(query, "alt") == "sse";
  return r;
}

std::string_view text_of(const json::value* v) {
  if (v != nullptr && v->is_string())
    return {v->get_string().data(), v->get_string().size()};
  return {};
}

// OpenAI and Anthropic content: a string or an array of {type:"text",text} parts.
std::string content_text(const json::value* v) {
  if (v == nullptr)
    return {};
  if (v->is_string())
    return std::string{text_of(v)};
  std::string out;
  if (v->is_array())
    for (const auto& part : v->get_array())
      if (part.is_object())
        out += text_of(part.get_object().if_contains("text"));
  return out;
}

int64_t count_words(std::string_view text) {
  int64_t n = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    n += (!space && !in_word) ? 1 : 0;
    in_word = !space;
  }
  return n;
}

// One message: counts its words, remembers it when a user wrote it.
void take(chat_input& in, std::string_view role, const std::string& text) {
  in.prompt_tokens += count_words(text);
  if (role == "user")
    in.last_user = text;
}

std::optional<int64_t> int_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_number())
    return std::nullopt;
  return v->is_int64() ? v->get_int64() : static_cast<int64_t>(v->to_number<double>());
}

bool bool_at(const json::object& o, std::string_view key, bool fallback) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_bool() ? v->get_bool() : fallback;
}

void parse_messages(chat_input& in, const json::object& o) {
  if (const auto* sys = o.if_contains("system")) // Anthropic's top-level system prompt
    in.prompt_tokens += count_words(content_text(sys));
  const auto* msgs = o.if_contains("messages");
  if (msgs == nullptr || !msgs->is_array())
    return;
  for (const auto& m : msgs->get_array())
    if (const auto* turn = m.if_object()) {
      take(in, text_of(turn->if_contains("role")), content_text(turn->if_contains("content")));
      in.prompt_tokens += turn_attachments(*turn);
    }
}

void parse_gemini(chat_input& in, const json::object& o) {
  auto parts_text = [](const json::value& c) {
    std::string out;
    if (const auto* parts = c.is_object() ? c.get_object().if_contains("parts") : nullptr)
      out = content_text(parts);
    return out;
  };
  if (const auto* sys = o.if_contains("systemInstruction"))
    in.prompt_tokens += count_words(parts_text(*sys));
  if (const auto* contents = o.if_contains("contents"); contents && contents->is_array())
    for (const auto& c : contents->get_array()) {
      auto role = c.is_object() ? text_of(c.get_object().if_contains("role")) : "";
      take(in, role.empty() ? "user" : role, parts_text(c));
      if (c.is_object())
        in.prompt_tokens += gemini_attachments(c.get_object().if_contains("parts"));
    }
  if (const auto* cfg = o.if_contains("generationConfig"); cfg && cfg->is_object()) {
    in.max_tokens = int_at(cfg->get_object(), "maxOutputTokens");
    in.json = text_of(cfg->get_object().if_contains("responseMimeType")) == "application/json";
  }
}

// Whether `o` asks for a JSON answer: OpenAI's response_format (json_object, or json_schema with
// a name), Anthropic's output_config.format (json_schema with a schema), Ollama's format ("json"
// or a schema).
bool asks_for_json(protocol p, const json::object& o) {
  auto object_at = [](const json::object& in, std::string_view key) {
    const auto* v = in.if_contains(key);
    return v && v->is_object() ? &v->get_object() : nullptr;
  };
  switch (p) {
    case protocol::openai:
      if (const auto* f = object_at(o, "response_format")) {
        auto type = text_of(f->if_contains("type"));
        const auto* spec = object_at(*f, "json_schema");
        return type == "json_object"
               || (type == "json_schema" && spec && !text_of(spec->if_contains("name")).empty());
      }
      return false;
    case protocol::anthropic:
      if (const auto* cfg = object_at(o, "output_config"))
        if (const auto* f = object_at(*cfg, "format"))
          return text_of(f->if_contains("type")) == "json_schema" && object_at(*f, "schema");
      return false;
    case protocol::ollama:
      if (const auto* f = o.if_contains("format"))
        return f->is_object() || (f->is_string() && f->get_string() == "json");
      return false;
    case protocol::gemini:
      return false; // generationConfig, read by parse_gemini
  }
  return false;
}

route at(endpoint e, protocol p) {
  route r;
  r.where = e;
  r.proto = p;
  return r;
}

} // namespace

std::string_view to_string(endpoint e) {
  constexpr std::string_view names[endpoint_count] = {
      "openai.chat",  "openai.models",   "anthropic.messages", "anthropic.models", "ollama.chat",
      "ollama.tags",  "gemini.generate", "gemini.stream",      "gemini.models",    "openai.embed",
      "ollama.embed", "gemini.embed",    "anthropic.count",    "gemini.count",     "fake.release",
      "fake.report",  "unknown"};
  return names[static_cast<size_t>(e)];
}

bool is_embed(endpoint e) {
  return e == endpoint::openai_embed || e == endpoint::ollama_embed || e == endpoint::gemini_embed;
}

bool is_count(endpoint e) {
  return e == endpoint::anthropic_count || e == endpoint::gemini_count;
}

bool is_chat(endpoint e) {
  return e == endpoint::openai_chat || e == endpoint::anthropic_messages
         || e == endpoint::ollama_chat || e == endpoint::gemini_generate
         || e == endpoint::gemini_stream;
}

route route_request(std::string_view method, std::string_view target, bool anthropic_version) {
  auto qpos = target.find('?');
  auto path = target.substr(0, qpos);
  auto query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
  if (path.starts_with("/v1beta/models"))
    return gemini_route(method, path, query);
  route r;
  bool post = method == "POST";
  if (post && (path == "/v1/chat/completions" || path == "/chat/completions")) {
    r.where = endpoint::openai_chat;
  } else if (post && path == "/v1/messages") {
    r = at(endpoint::anthropic_messages, protocol::anthropic);
  } else if (post && path == "/v1/messages/count_tokens") {
    r = at(endpoint::anthropic_count, protocol::anthropic);
  } else if (post && path == "/api/chat") {
    r = at(endpoint::ollama_chat, protocol::ollama);
  } else if (post && (path == "/v1/embeddings" || path == "/embeddings")) {
    r.where = endpoint::openai_embed;
  } else if (post && path == "/api/embed") {
    r = at(endpoint::ollama_embed, protocol::ollama);
  } else if (post && path == "/fake/release") {
    r.where = endpoint::fake_release;
  } else if (method == "GET" && path == "/fake/report") {
    r.where = endpoint::fake_report;
    r.with_texts = query_param(query, "texts") != "0";
  } else if (method == "GET" && path == "/api/tags") {
    r = at(endpoint::ollama_tags, protocol::ollama);
  } else if (method == "GET" && (path == "/v1/models" || path == "/models")) {
    if (anthropic_version) {
      r = at(endpoint::anthropic_models, protocol::anthropic);
      r.page_size = to_int(query_param(query, "limit"), 0);
      r.page_token = query_param(query, "after_id");
    } else {
      r.where = endpoint::openai_models;
    }
  }
  return r;
}

std::optional<chat_input> parse_chat(const route& r, std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(json::string_view{body.data(), body.size()}, ec);
  if (ec || !v.is_object())
    return std::nullopt;
  const auto& o = v.get_object();
  chat_input in;
  in.model = r.proto == protocol::gemini ? r.model : std::string{text_of(o.if_contains("model"))};
  switch (r.proto) {
    case protocol::openai:
      parse_messages(in, o);
      in.stream = bool_at(o, "stream", false);
      if (const auto* so = o.if_contains("stream_options"); so && so->is_object())
        in.include_usage = bool_at(so->get_object(), "include_usage", false);
      in.max_tokens = int_at(o, "max_completion_tokens");
      if (!in.max_tokens)
        in.max_tokens = int_at(o, "max_tokens");
      break;
    case protocol::anthropic:
      parse_messages(in, o);
      in.stream = bool_at(o, "stream", false);
      in.max_tokens = int_at(o, "max_tokens");
      in.refusal = anthropic_thinking_refusal(o, in.thinking);
      break;
    case protocol::ollama:
      parse_messages(in, o);
      in.stream = bool_at(o, "stream", true); // Ollama streams unless told not to
      if (const auto* opt = o.if_contains("options"); opt && opt->is_object())
        in.max_tokens = int_at(opt->get_object(), "num_predict");
      break;
    case protocol::gemini:
      parse_gemini(in, o);
      in.stream = r.where == endpoint::gemini_stream;
      break;
  }
  in.json = in.json || asks_for_json(r.proto, o);
  return in;
}

reply_settings with_overrides(const reply_settings& base, const http::fields& h) {
  reply_settings s = base;
  auto field = [&h](std::string_view name) -> std::optional<std::string_view> {
    auto it = h.find(name);
    if (it == h.end())
      return std::nullopt;
    return std::string_view{it->value().data(), it->value().size()};
  };
  if (auto v = field("x-fake-mode"))
    s.mode = reply_mode_from_string(*v).value_or(s.mode);
  if (auto v = field("x-fake-text")) {
    s.text = std::string{*v};
    s.mode = reply_mode::fixed;
  }
  if (auto v = field("x-fake-tokens")) {
    s.tokens = std::max<int64_t>(0, to_int(*v, s.tokens));
    s.mode = reply_mode::tokens;
  }
  if (auto v = field("x-fake-latency-ms"))
    s.latency = std::chrono::milliseconds{std::max<int64_t>(0, to_int(*v, s.latency.count()))};
  if (auto v = field("x-fake-tps"))
    s.tokens_per_second = std::max<double>(0, static_cast<double>(to_int(*v, 0)));
  if (auto v = field("x-fake-chunk-tokens"))
    s.chunk_tokens = std::max<int64_t>(1, to_int(*v, s.chunk_tokens));
  if (auto v = field("x-fake-cut-after"))
    s.cut_after = std::max<int64_t>(0, to_int(*v, s.cut_after));
  if (auto v = field("x-fake-retry-after"))
    s.retry_after_seconds = std::max<int64_t>(0, to_int(*v, s.retry_after_seconds));
  if (auto v = field("x-fake-hold"))
    s.hold_every = *v == "true" ? 1 : std::max<int64_t>(0, to_int(*v, 0));
  if (auto v = field("x-fake-tool"))
    s.tool = std::string{*v};
  if (auto v = field("x-fake-thinking"))
    s.thinking = std::string{*v};
  return s;
}

std::vector<std::string> split_tokens(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0)
      ++i;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) == 0)
      ++i;
    out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

reply_plan make_plan(const chat_input& in, const reply_settings& s, std::string id,
                     int64_t created) {
  reply_plan p;
  p.model = in.model;
  p.id = std::move(id);
  p.created = created;
  p.prompt_tokens = in.prompt_tokens;
  p.include_usage = in.include_usage;
  p.tool = s.tool;
  p.thinking = s.thinking;
  if (p.thinking.empty() && in.thinking) // a model asked to think does
    p.thinking = default_thinking;
  std::vector<std::string> tokens;
  if (s.mode == reply_mode::tokens) {
    for (int64_t i = 0; i < s.tokens; ++i)
      tokens.push_back((i == 0 ? "tok" : " tok") + std::to_string(i));
  } else {
    std::string text = s.mode == reply_mode::echo ? in.last_user : s.text;
    if (in.json) // as a model would: the answer as a JSON object
      text = json::serialize(json::object{{"answer", text}});
    tokens = split_tokens(text);
  }
  if (in.max_tokens && *in.max_tokens >= 0 && static_cast<size_t>(*in.max_tokens) < tokens.size()) {
    tokens.resize(static_cast<size_t>(*in.max_tokens));
    p.length_limited = true;
  }
  p.completion_tokens = static_cast<int64_t>(tokens.size());
  auto per_chunk = static_cast<size_t>(std::max<int64_t>(1, s.chunk_tokens));
  for (size_t i = 0; i < tokens.size(); i += per_chunk) {
    text_chunk c{"", 0};
    for (size_t j = i; j < std::min(tokens.size(), i + per_chunk); ++j, ++c.tokens)
      c.text += tokens[j];
    p.text += c.text;
    p.chunks.push_back(std::move(c));
  }
  return p;
}

} // namespace et::fake
