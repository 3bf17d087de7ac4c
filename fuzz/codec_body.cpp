// Fuzz target: the whole-body decoders of the four provider codecs: a non-streamed chat answer
// (decode_chat), a model listing (decode_models) and an embedding answer (decode_embed, for
// two inputs) and a token count (decode_count). Every input goes through all four codecs.
// Invariants: decoding is deterministic; usage is never negative; a listed model has an id and a
// context window, when given, is positive; an embedding answer has one vector per input, all of one
// dimension in 1..16384, every component finite; a token count is a plausible count; failures never
// hold the API key.

#include <cmath>

#include "codec_support.hpp"
#include "et/llm/embed.hpp"
#include "et/llm/plausible.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = et::fuzz::bytes(data, size);
  for (const auto& c : et::fuzz::codecs()) {
    auto chat = c->decode_chat(body);
    auto again = c->decode_chat(body);
    FUZZ_CHECK(chat.has_value() == again.has_value(), "decode_chat is not deterministic");
    if (chat) {
      FUZZ_CHECK(*chat == *again, "decode_chat is not deterministic");
      et::fuzz::check_usage(chat->tokens);
    } else {
      et::fuzz::check_failure(chat.error());
      FUZZ_CHECK(chat.error().message == again.error().message, "decode_chat is not deterministic");
    }
    auto models = c->decode_models(body);
    if (models) {
      for (const auto& m : models->models) {
        FUZZ_CHECK(!m.id.empty(), "a listed model without an id");
        FUZZ_CHECK(!m.context_window || *m.context_window > 0, "a context window <= 0");
      }
    } else {
      et::fuzz::check_failure(models.error());
    }
    auto counted = c->decode_count(body);
    if (counted)
      FUZZ_CHECK(*counted >= 0 && *counted <= et::max_token_count, "an implausible token count");
    else
      et::fuzz::check_failure(counted.error());
    static const et::embed_request two{"m", {"first text", "second text"}};
    auto vectors = c->decode_embed(body, two);
    if (vectors) {
      FUZZ_CHECK(vectors->vectors.size() == two.inputs.size(), "a vector count unlike the inputs");
      et::fuzz::check_usage(vectors->tokens);
      auto dim = vectors->vectors.front().size();
      FUZZ_CHECK(dim >= 1 && dim <= 16384, "a dimension out of bounds");
      for (const auto& v : vectors->vectors) {
        FUZZ_CHECK(v.size() == dim, "vectors of different dimensions");
        for (float x : v)
          FUZZ_CHECK(std::isfinite(x), "a component that is not finite");
      }
    } else {
      et::fuzz::check_failure(vectors.error());
    }
  }
  return 0;
}
