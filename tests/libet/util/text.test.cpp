#define CAF_SUITE libet.util.text
#include "caf/test/unit_test.hpp"

#include "et/util/text.hpp"

using namespace et;

namespace {

const std::vector<std::string> keys{"providers", "models", "roles", "defaults", "retry"};

} // namespace

CAF_TEST(edit distance counts insertions deletions and substitutions) {
  CAF_CHECK_EQUAL(edit_distance("", ""), 0u);
  CAF_CHECK_EQUAL(edit_distance("abc", ""), 3u);
  CAF_CHECK_EQUAL(edit_distance("", "abc"), 3u);
  CAF_CHECK_EQUAL(edit_distance("same", "same"), 0u);
  CAF_CHECK_EQUAL(edit_distance("kitten", "sitting"), 3u);
  CAF_CHECK_EQUAL(edit_distance("gpt4", "gpt4o"), 1u);
  CAF_CHECK_EQUAL(edit_distance("flaw", "lawn"), 2u);
}

CAF_TEST(edit distance is symmetric) {
  CAF_CHECK_EQUAL(edit_distance("sunday", "saturday"), 3u);
  CAF_CHECK_EQUAL(edit_distance("saturday", "sunday"), 3u);
}

CAF_TEST(nearest finds a close typo) {
  CAF_CHECK_EQUAL(nearest("provders", keys).value_or("<none>"), "providers");
  CAF_CHECK_EQUAL(nearest("rols", keys).value_or("<none>"), "roles");
  CAF_CHECK_EQUAL(nearest("retri", keys).value_or("<none>"), "retry");
}

CAF_TEST(nearest prefers the closest candidate) {
  std::vector<std::string> aliases{"gpt4o", "gpt4", "claude"};
  CAF_CHECK_EQUAL(nearest("gpt4", aliases).value_or("<none>"), "gpt4");
  CAF_CHECK_EQUAL(nearest("gpt4x", aliases).value_or("<none>"), "gpt4o");
}

CAF_TEST(nearest refuses a word that is not a likely typo) {
  CAF_CHECK(!nearest("banana", keys).has_value());
  CAF_CHECK(!nearest("zz", keys).has_value());
  CAF_CHECK(!nearest("anything", {}).has_value());
}

CAF_TEST(nearest allows at most three edits even for long words) {
  std::vector<std::string> words{"abcdefghijklmnopqrstuvwxyz"};
  CAF_CHECK(nearest("abcdefghijklmnopqrstuvwXYZ", words).has_value());
  CAF_CHECK(!nearest("abcdefghijklmnopqrstuvWXYZ", words).has_value());
}

CAF_TEST(nearest allows one edit per three characters of the word) {
  std::vector<std::string> words{"abcdef"};
  CAF_CHECK(nearest("abcdXY", words).has_value());  // 2 edits, 6 / 3 = 2 allowed
  CAF_CHECK(!nearest("abcXYZ", words).has_value()); // 3 edits
}

CAF_TEST(trim removes ascii white space at both ends only) {
  CAF_CHECK_EQUAL(trim("  a b \t\r\n"), "a b");
  CAF_CHECK_EQUAL(trim("\f\vx\v"), "x");
  CAF_CHECK_EQUAL(trim("none"), "none");
  CAF_CHECK_EQUAL(trim(" \t "), "");
  CAF_CHECK_EQUAL(trim(""), "");
}

CAF_TEST(join puts the separator only between parts) {
  CAF_CHECK_EQUAL(join({}, ", "), "");
  CAF_CHECK_EQUAL(join({"a"}, ", "), "a");
  CAF_CHECK_EQUAL(join({"a", "b", "c"}, ", "), "a, b, c");
  CAF_CHECK_EQUAL(join({"", ""}, "-"), "-");
}

CAF_TEST(redact never shows any part of a secret) {
  CAF_CHECK_EQUAL(redact("sk-very-secret"), "****");
  CAF_CHECK_EQUAL(redact("x"), "****");
  CAF_CHECK_EQUAL(redact(""), "");
}

CAF_TEST(scrub replaces every occurrence of every secret) {
  CAF_CHECK_EQUAL(scrub("key=sk-live-1 again sk-live-1 and password1", {"sk-live-1", "password1"}),
                  "key=**** again **** and ****");
  CAF_CHECK_EQUAL(scrub("sk-live-1sk-live-1", {"sk-live-1"}), "********");
  CAF_CHECK_EQUAL(scrub("at 10.0.0.1:8080/sk-live-1x", {"sk-live-1"}), "at 10.0.0.1:8080/****x");
}

CAF_TEST(a short secret is hidden where it stands apart and kept inside addresses and numbers) {
  // A dummy key "1" for a local server must not make "127.0.0.1:18081" unreadable.
  CAF_CHECK_EQUAL(scrub("cannot connect to 127.0.0.1:18081", {"1"}),
                  "cannot connect to 127.0.0.1:18081");
  CAF_CHECK_EQUAL(scrub("invalid api key: 1", {"1"}), "invalid api key: ****");
  CAF_CHECK_EQUAL(scrub(R"({"api_key":"1","n":12})", {"1"}), R"({"api_key":"****","n":12})");
  CAF_CHECK_EQUAL(scrub("Bearer 1\nkey=1;(1)", {"1"}), "Bearer ****\nkey=****;(****)");
  CAF_CHECK_EQUAL(scrub("1", {"1"}), "****");
  CAF_CHECK_EQUAL(scrub("GET /v1?key=1&alt=sse", {"1"}), "GET /v1?key=****&alt=sse");
  CAF_CHECK_EQUAL(scrub("hunter2 and xhunter2", {"hunter2"}), "**** and xhunter2");
  // Every echo that does not join it to a word hides it.
  for (std::string echo :
       {"x-api-key:hunter2", "https://me:hunter2@proxy", R"({\"key\":\"hunter2\"})",
        "provided: hunter2.", "key=hunter2|", "Bearer%20hunter2", "/hunter2/"})
    CAF_CHECK_EQUAL(scrub(echo, {"hunter2"}).find("hunter2"), std::string::npos);
  CAF_CHECK_EQUAL(scrub("on 10.0.0.1:8081/v1, port 11434, 2026-12-01", {"1"}),
                  "on 10.0.0.1:8081/v1, port 11434, 2026-12-01");
}

CAF_TEST(scrub ignores empty secrets and leaves other text alone) {
  CAF_CHECK_EQUAL(scrub("nothing to hide", {"", "absent"}), "nothing to hide");
  CAF_CHECK_EQUAL(scrub("", {"x"}), "");
}

CAF_TEST(scrub terminates when the secret is part of the mask) {
  CAF_CHECK_EQUAL(scrub("a********b", {"********"}), "a****b");
  CAF_CHECK_EQUAL(scrub("a = *", {"*"}), "a = ****");
}

CAF_TEST(starts with compares a prefix) {
  CAF_CHECK(starts_with("https://x", "https://"));
  CAF_CHECK(starts_with("abc", ""));
  CAF_CHECK(!starts_with("http://x", "https://"));
  CAF_CHECK(!starts_with("ab", "abc"));
}

CAF_TEST(clip utf8 never cuts inside a sequence) {
  CAF_CHECK_EQUAL(et::clip_utf8("short", 10), "short");
  CAF_CHECK_EQUAL(et::clip_utf8("abcdef", 3), "abc");
  // "é" is two bytes, "€" three: a cut inside either drops the whole sequence.
  CAF_CHECK_EQUAL(et::clip_utf8("a\xC3\xA9z", 2), "a");
  CAF_CHECK_EQUAL(et::clip_utf8("a\xC3\xA9z", 3), "a\xC3\xA9");
  CAF_CHECK_EQUAL(et::clip_utf8("\xE2\x82\xAC\xE2\x82\xAC", 5), "\xE2\x82\xAC");
  CAF_CHECK_EQUAL(et::clip_utf8("\xE2\x82\xAC", 0), "");
}

CAF_TEST(utf8 sequences are measured only when well formed) {
  CAF_CHECK_EQUAL(utf8_sequence("a", 0), 1u);
  CAF_CHECK_EQUAL(utf8_sequence("\xc3\xa9", 0), 2u);         // é
  CAF_CHECK_EQUAL(utf8_sequence("\xe2\x82\xac", 0), 3u);     // €
  CAF_CHECK_EQUAL(utf8_sequence("\xf0\x9f\x98\x80", 0), 4u); // an emoji
  CAF_CHECK_EQUAL(utf8_sequence("x\xc3", 1), 0u);            // cut at the end
  CAF_CHECK_EQUAL(utf8_sequence("\xa9", 0), 0u);             // a stray continuation
  CAF_CHECK_EQUAL(utf8_sequence("\xc0\xaf", 0), 0u);         // overlong
  CAF_CHECK_EQUAL(utf8_sequence("\xe0\x80\xaf", 0), 0u);     // overlong
  CAF_CHECK_EQUAL(utf8_sequence("\xed\xa0\x80", 0), 0u);     // a surrogate
  CAF_CHECK_EQUAL(utf8_sequence("\xf4\x90\x80\x80", 0), 0u); // past U+10FFFF
  CAF_CHECK_EQUAL(utf8_sequence("\xe2\x82x", 0), 0u);        // a bad continuation
}

CAF_TEST(make valid utf8 replaces each stray byte and leaves valid text alone) {
  auto fixed = [](std::string s) {
    make_valid_utf8(s);
    return s;
  };
  CAF_CHECK_EQUAL(fixed("caf\xc3\xa9 \xf0\x9f\x99\x82"), "caf\xc3\xa9 \xf0\x9f\x99\x82");
  CAF_CHECK_EQUAL(fixed("caf\xe9!"), "caf\xef\xbf\xbd!");           // Latin-1
  CAF_CHECK_EQUAL(fixed("a\xe2\x82"), "a\xef\xbf\xbd\xef\xbf\xbd"); // cut mid-character
  CAF_CHECK_EQUAL(fixed("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");   // overlong '/'
  CAF_CHECK_EQUAL(fixed("\xed\xa0\x80x"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx"); // surrogate
  CAF_CHECK_EQUAL(fixed(""), "");
}

CAF_TEST(ascii lower lowers ascii letters only) {
  CAF_CHECK_EQUAL(et::ascii_lower("Text/HTML; Charset=UTF-8"), "text/html; charset=utf-8");
  // Bytes of other characters stay as they are, whatever the locale says.
  CAF_CHECK_EQUAL(et::ascii_lower("\xC3\x80Z\xC4\xB0"), "\xC3\x80z\xC4\xB0");
  CAF_CHECK_EQUAL(et::ascii_lower(""), "");
}

CAF_TEST(media type drops parameters and case and white space) {
  CAF_CHECK_EQUAL(et::media_type(" Text/HTML ; charset=utf-8"), "text/html");
  CAF_CHECK_EQUAL(et::media_type("application/json"), "application/json");
  // A longer type is another type, not JSON.
  CAF_CHECK_NOT_EQUAL(et::media_type("application/jsonl"), "application/json");
  CAF_CHECK_EQUAL(et::media_type(";charset=utf-8"), "");
  CAF_CHECK_EQUAL(et::media_type(""), "");
}

CAF_TEST(the last lines of an output skip blank ones and are cut to their bound) {
  CAF_CHECK_EQUAL(last_lines("a\nb\n\n  \nc\r\nd\n", 3, 10, "| "), "| b\n| c\n| d");
  CAF_CHECK_EQUAL(last_lines("0123456789abc", 2, 4, ""), "0123...");
  CAF_CHECK_EQUAL(last_lines("", 3, 10, "| "), "");
  CAF_CHECK_EQUAL(last_lines("\n\n", 3, 10, "| "), "");
}

CAF_TEST(two swapped neighbours are one edit so a typo finds its word) {
  CAF_CHECK_EQUAL(edit_distance("polecta", "polecat"), 1u);
  CAF_CHECK_EQUAL(edit_distance("mokc", "mock"), 1u);
  CAF_CHECK_EQUAL(edit_distance("abc", "abc"), 0u);
  CAF_CHECK_EQUAL(edit_distance("", "abc"), 3u);
  CAF_CHECK_EQUAL(edit_distance("kitten", "sitting"), 3u);
  CAF_CHECK_EQUAL(nearest("mokc", {"mock", "openai"}).value_or(""), "mock");
}
