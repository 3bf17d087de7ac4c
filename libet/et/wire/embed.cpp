// The embedding endpoints of OpenAI (and compatible servers), Ollama and Gemini.
// Every number in an answer is untrusted: the decoders check the count of vectors,
// their common dimension, each component and the token counts before anything
// reaches the index or the ledger.

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <limits>

#include "et/cost/reports.hpp"
#include "et/util/bounded_json.hpp"
#include "et/util/text.hpp"
#include "et/wire/detail/common.hpp"

namespace et::wire::detail {

namespace {

namespace json = boost::json;

failure bad(std::string_view what, const std::string& why) {
  return make_failure(errc::invalid_input, "malformed " + std::string{what} + ": " + why);
}

result<void> check_request(const embed_request& req) {
  if (req.model.empty())
    return make_failure(errc::invalid_input, "an embedding request needs a model");
  if (req.inputs.empty())
    return make_failure(errc::invalid_input, "an embedding request needs at least one input");
  if (req.inputs.size() > max_embed_inputs)
    return make_failure(errc::invalid_input,
                        "an embedding request carries " + std::to_string(req.inputs.size())
                            + " inputs, more than " + std::to_string(max_embed_inputs));
  return {};
}

json::array input_array(const embed_request& req) {
  json::array a;
  for (const auto& s : req.inputs)
    a.emplace_back(s);
  return a;
}

// One vector from a JSON array of numbers: finite floats, dimension in bounds and
// equal to `dim` once a first vector set it.
result<std::vector<float>> read_vector(const json::value* v, std::string_view what, size_t i,
                                       size_t& dim) {
  auto where = "vector " + std::to_string(i);
  if (v == nullptr || !v->is_array())
    return bad(what, where + " is not an array of numbers");
  const auto& a = v->get_array();
  if (a.empty() || a.size() > max_embed_dimension)
    return bad(what, where + " has dimension " + std::to_string(a.size()) + " (allowed: 1 to "
                         + std::to_string(max_embed_dimension) + ")");
  if (dim != 0 && a.size() != dim)
    return bad(what, where + " has dimension " + std::to_string(a.size()) + ", vector 0 has "
                         + std::to_string(dim));
  dim = a.size();
  std::vector<float> out;
  out.reserve(a.size());
  for (size_t k = 0; k < a.size(); ++k) {
    const auto& x = a[k];
    double d = 0;
    if (x.is_double())
      d = x.get_double();
    else if (x.is_int64())
      d = static_cast<double>(x.get_int64());
    else if (x.is_uint64())
      d = static_cast<double>(x.get_uint64());
    else
      return bad(what, where + " component " + std::to_string(k) + " is not a number");
    if (!std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max())
      return bad(what, where + " component " + std::to_string(k) + " is not a finite float");
    out.push_back(static_cast<float>(d));
  }
  return out;
}

result<void> check_count(std::string_view what, size_t got, const embed_request& req) {
  if (got != req.inputs.size())
    return bad(what, std::to_string(got) + " vectors for " + std::to_string(req.inputs.size())
                         + " inputs");
  return {};
}

// An answer as a JSON object, within bounds of its own: it holds numbers, which JSON spells in
// as little as two bytes (`0,`) and a parse keeps in up to 64 while it runs (16 in its array,
// 16 on the parser's stack, and that stack's growth), so the bound on text (parse_json's) is
// too tight for a legitimate answer and too loose for a hostile one. What
// `req` can get back is at most its inputs' vectors of max_embed_dimension components: an
// answer with more numbers than that (each takes a comma) is refused before it is parsed,
// and the parse may take the memory the numbers it holds need.
result<json::object> parse_answer(std::string_view body, const embed_request& req,
                                  std::string_view what) {
  auto numbers = static_cast<size_t>(std::count(body.begin(), body.end(), ','));
  auto allowed = req.inputs.size() * (max_embed_dimension + 64) + 4096; // and their fields
  if (numbers > allowed)
    return bad(what, "more values than " + std::to_string(req.inputs.size())
                         + " vectors of at most " + std::to_string(max_embed_dimension)
                         + " components hold");
  auto parsed = parse_within(body, json_budget_for(body.size()) + 64 * numbers, 32, what);
  if (!parsed)
    return parsed.error();
  if (!parsed->is_object())
    return make_failure(errc::invalid_input, std::string{what} + " is not a JSON object");
  return std::move(parsed->as_object());
}

// The answer's own model name, bounded; the requested one when it gives none.
std::string model_of(const json::object& o, const embed_request& req) {
  auto m = get_string(o, "model");
  if (m.empty() || m.size() > 256)
    return req.model;
  return std::string{m};
}

} // namespace

result<http_request> openai_embed(const config::provider& p, const std::string& path,
                                  const embed_request& req) {
  if (auto ok = check_request(req); !ok)
    return ok.error();
  json::object body{
      {"model", req.model}, {"input", input_array(req)}, {"encoding_format", "float"}};
  auto out = post_json(path + "/embeddings", body, false);
  add_authorization(out.headers, p);
  if (!p.org.empty())
    out.headers.emplace_back("OpenAI-Organization", p.org);
  add_extra_headers(out.headers, p);
  return out;
}

result<embed_response> decode_openai_embed(std::string_view body, const embed_request& req) {
  constexpr std::string_view what = "OpenAI embeddings";
  auto parsed = parse_answer(body, req, what);
  if (!parsed)
    return parsed.error();
  const auto& o = *parsed;
  const auto* data = get_array(o, "data");
  if (data == nullptr)
    return bad(what, "no \"data\" array");
  if (auto n = check_count(what, data->size(), req); !n)
    return n.error();
  embed_response r;
  r.model = model_of(o, req);
  r.vectors.resize(data->size());
  std::vector<bool> seen(data->size(), false);
  size_t dim = 0;
  for (size_t i = 0; i < data->size(); ++i) {
    if (!(*data)[i].is_object())
      return bad(what, "data[" + std::to_string(i) + "] is not an object");
    const auto& item = (*data)[i].get_object();
    // Servers may answer out of order: `index` says which input a vector belongs to.
    size_t slot = i;
    if (item.contains("index")) {
      auto idx = get_int(item, "index");
      if (!idx || *idx < 0 || static_cast<size_t>(*idx) >= data->size() || seen[*idx])
        return bad(what, "data[" + std::to_string(i) + "] has a bad or repeated index");
      slot = static_cast<size_t>(*idx);
    } else if (seen[slot]) {
      return bad(what, "data[" + std::to_string(i) + "] repeats an index");
    }
    seen[slot] = true;
    auto v = read_vector(item.if_contains("embedding"), what, i, dim);
    if (!v)
      return v.error();
    r.vectors[slot] = std::move(*v);
  }
  if (const auto* u = get_object(o, "usage")) {
    count_reader count{"OpenAI embeddings usage"};
    r.tokens.prompt_tokens = count(*u, "prompt_tokens");
    if (auto st = count.status(); !st)
      return st.error();
  }
  return r;
}

result<http_request> ollama_embed(const config::provider& p, const std::string& path,
                                  const embed_request& req) {
  if (auto ok = check_request(req); !ok)
    return ok.error();
  json::object body{{"model", req.model}, {"input", input_array(req)}};
  auto out = post_json(path + "/api/embed", body, false);
  add_authorization(out.headers, p);
  add_extra_headers(out.headers, p);
  return out;
}

result<embed_response> decode_ollama_embed(std::string_view body, const embed_request& req) {
  constexpr std::string_view what = "Ollama embeddings";
  auto parsed = parse_answer(body, req, what);
  if (!parsed)
    return parsed.error();
  const auto& o = *parsed;
  const auto* list = get_array(o, "embeddings");
  if (list == nullptr)
    return bad(what, "no \"embeddings\" array");
  if (auto n = check_count(what, list->size(), req); !n)
    return n.error();
  embed_response r;
  r.model = model_of(o, req);
  size_t dim = 0;
  for (size_t i = 0; i < list->size(); ++i) {
    auto v = read_vector(&(*list)[i], what, i, dim);
    if (!v)
      return v.error();
    r.vectors.push_back(std::move(*v));
  }
  count_reader count{"Ollama embeddings usage"};
  r.tokens.prompt_tokens = count(o, "prompt_eval_count");
  if (auto st = count.status(); !st)
    return st.error();
  return r;
}

result<http_request> gemini_embed(const config::provider& p, const std::string& path,
                                  const embed_request& req) {
  if (auto ok = check_request(req); !ok)
    return ok.error();
  std::string_view model = req.model;
  if (starts_with(model, "models/"))
    model.remove_prefix(7);
  if (model.empty())
    return make_failure(errc::invalid_input, "an embedding request needs a model");
  auto name = "models/" + std::string{model};
  json::array requests;
  for (const auto& s : req.inputs)
    requests.push_back(json::object{
        {"model", name}, {"content", {{"parts", json::array{json::object{{"text", s}}}}}}});
  json::object body{{"requests", std::move(requests)}};
  auto out = post_json(path + "/v1beta/models/" + percent_encode(model) + ":batchEmbedContents",
                       body, false);
  if (!p.api_key.empty() && p.auth != config::auth_type::none)
    out.headers.emplace_back("x-goog-api-key", p.api_key);
  add_extra_headers(out.headers, p);
  return out;
}

result<embed_response> decode_gemini_embed(std::string_view body, const embed_request& req) {
  constexpr std::string_view what = "Gemini embeddings";
  auto parsed = parse_answer(body, req, what);
  if (!parsed)
    return parsed.error();
  const auto& o = *parsed;
  const auto* list = get_array(o, "embeddings");
  if (list == nullptr)
    return bad(what, "no \"embeddings\" array");
  if (auto n = check_count(what, list->size(), req); !n)
    return n.error();
  embed_response r;
  r.model = req.model;
  size_t dim = 0;
  size_t bytes = 0;
  for (size_t i = 0; i < list->size(); ++i) {
    if (!(*list)[i].is_object())
      return bad(what, "embeddings[" + std::to_string(i) + "] is not an object");
    auto v = read_vector((*list)[i].get_object().if_contains("values"), what, i, dim);
    if (!v)
      return v.error();
    r.vectors.push_back(std::move(*v));
    bytes += req.inputs[i].size();
  }
  r.tokens.prompt_tokens = cost::estimate_tokens(bytes);
  return r;
}

} // namespace et::wire::detail
