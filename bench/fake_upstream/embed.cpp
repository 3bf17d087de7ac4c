#include "embed.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>

namespace et::fake {

namespace {

namespace json = boost::json;

int64_t words(std::string_view text) {
  int64_t n = 0;
  bool in_word = false;
  for (char c : text) {
    bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
    n += (alnum && !in_word) ? 1 : 0;
    in_word = alnum;
  }
  return n;
}

std::optional<std::string> string_of(const json::value* v) {
  if (v == nullptr || !v->is_string())
    return std::nullopt;
  return std::string{v->get_string()};
}

json::array vector_json(const std::vector<float>& v) {
  json::array a;
  for (float x : v)
    a.emplace_back(static_cast<double>(x));
  return a;
}

} // namespace

std::optional<embed_input> parse_embed(protocol p, std::string_view model_from_path,
                                       std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return std::nullopt;
  const auto& o = v.get_object();
  embed_input in;
  if (p == protocol::gemini) {
    in.model = std::string{model_from_path};
    const auto* reqs = o.if_contains("requests");
    if (reqs == nullptr || !reqs->is_array())
      return std::nullopt;
    for (const auto& r : reqs->get_array()) {
      std::string text;
      const auto* content = r.is_object() ? r.get_object().if_contains("content") : nullptr;
      const auto* parts =
          content && content->is_object() ? content->get_object().if_contains("parts") : nullptr;
      if (parts && parts->is_array())
        for (const auto& part : parts->get_array())
          if (part.is_object())
            text += string_of(part.get_object().if_contains("text")).value_or("");
      in.texts.push_back(std::move(text));
    }
  } else {
    in.model = string_of(o.if_contains("model")).value_or("");
    const auto* input = o.if_contains("input");
    if (input == nullptr)
      return std::nullopt;
    if (input->is_string()) {
      in.texts.push_back(std::string{input->get_string()});
    } else if (input->is_array()) {
      for (const auto& t : input->get_array()) {
        auto s = string_of(&t);
        if (!s)
          return std::nullopt;
        in.texts.push_back(std::move(*s));
      }
    } else {
      return std::nullopt;
    }
  }
  for (const auto& t : in.texts)
    in.prompt_tokens += words(t);
  return in;
}

std::vector<float> fake_vector(std::string_view text, size_t dim) {
  std::vector<double> acc(dim, 0.0);
  uint64_t h = 14695981039346656037ull;
  bool in_word = false;
  auto end_word = [&] {
    if (in_word)
      acc[h % dim] += 1.0;
    h = 14695981039346656037ull;
    in_word = false;
  };
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      h = (h ^ static_cast<unsigned char>(std::tolower(u))) * 1099511628211ull;
      in_word = true;
    } else {
      end_word();
    }
  }
  end_word();
  double norm = 0;
  for (double x : acc)
    norm += x * x;
  std::vector<float> out(dim, 0.0f);
  if (norm == 0) {
    out[0] = 1.0f;
    return out;
  }
  for (size_t i = 0; i < dim; ++i)
    out[i] = static_cast<float>(acc[i] / std::sqrt(norm));
  return out;
}

std::string embed_body(protocol p, const embed_input& in, size_t dim) {
  json::object o;
  if (p == protocol::gemini) {
    json::array list;
    for (const auto& t : in.texts)
      list.push_back(json::object{{"values", vector_json(fake_vector(t, dim))}});
    o["embeddings"] = std::move(list);
  } else if (p == protocol::ollama) {
    json::array list;
    for (const auto& t : in.texts)
      list.push_back(vector_json(fake_vector(t, dim)));
    o["model"] = in.model;
    o["embeddings"] = std::move(list);
    o["total_duration"] = 1000;
    o["load_duration"] = 10;
    o["prompt_eval_count"] = in.prompt_tokens;
  } else {
    json::array data;
    for (size_t i = 0; i < in.texts.size(); ++i)
      data.push_back(json::object{{"object", "embedding"},
                                  {"index", i},
                                  {"embedding", vector_json(fake_vector(in.texts[i], dim))}});
    o["object"] = "list";
    o["data"] = std::move(data);
    o["model"] = in.model;
    o["usage"] = {{"prompt_tokens", in.prompt_tokens}, {"total_tokens", in.prompt_tokens}};
  }
  return json::serialize(o);
}

} // namespace et::fake
