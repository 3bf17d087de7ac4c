// Fuzz target: the whole-body decoders of the four provider codecs: a non-streamed chat answer
// (decode_chat) and a model listing (decode_models). Every input goes through all four codecs.
// Invariants: decoding is deterministic; usage is never negative; a listed model has an id and
// a context window, when given, is positive; failures never hold the API key.

#include "codec_support.hpp"

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
  }
  return 0;
}
