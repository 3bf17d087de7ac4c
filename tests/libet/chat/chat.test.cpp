#define CAF_SUITE libet.chat.chat
#include "caf/test/unit_test.hpp"

#include "et/chat/chat.hpp"

using namespace et;
using namespace et::chat;

CAF_TEST(a plain line is a question) {
  auto in = parse_chat_input("  how do I sort?  ");
  CAF_CHECK(in.what == chat_command::ask);
  CAF_CHECK_EQUAL(in.text, "how do I sort?");
}

CAF_TEST(commands are recognized with their argument) {
  CAF_CHECK(parse_chat_input("/cost").what == chat_command::cost);
  CAF_CHECK(parse_chat_input("/reset").what == chat_command::reset);
  CAF_CHECK(parse_chat_input("/quit").what == chat_command::quit);
  CAF_CHECK(parse_chat_input("/help").what == chat_command::help);
  auto save = parse_chat_input("/save  notes/chat.md ");
  CAF_CHECK(save.what == chat_command::save);
  CAF_CHECK_EQUAL(save.text, "notes/chat.md");
  CAF_CHECK(parse_chat_input("/save").text.empty());
}

CAF_TEST(an unknown command keeps its word and a double slash asks) {
  auto in = parse_chat_input("/cots now");
  CAF_CHECK(in.what == chat_command::unknown);
  CAF_CHECK_EQUAL(in.text, "/cots");
  auto ask = parse_chat_input("//etc/hosts is what?");
  CAF_CHECK(ask.what == chat_command::ask);
  CAF_CHECK_EQUAL(ask.text, "/etc/hosts is what?");
  CAF_CHECK(parse_chat_input("   ").what == chat_command::nothing);
}

CAF_TEST(a request carries the system prompt then the turns then the question) {
  chat_history h{"be brief"};
  h.add_turn("q1", "a1");
  auto m = h.ask("q2");
  CAF_REQUIRE_EQUAL(m.size(), 4u);
  CAF_CHECK(m[0].who == role::system);
  CAF_CHECK(m[1].who == role::user);
  CAF_CHECK_EQUAL(m[2].content, "a1");
  CAF_CHECK(m[2].who == role::assistant);
  CAF_CHECK_EQUAL(m[3].content, "q2");
}

CAF_TEST(reset forgets the turns but keeps the system prompt) {
  chat_history h{"be brief"};
  h.add_turn("q1", "a1");
  h.reset();
  CAF_CHECK_EQUAL(h.turns(), 0u);
  CAF_CHECK_EQUAL(h.ask("q").size(), 2u);
  CAF_CHECK_EQUAL(chat_history{std::nullopt}.ask("q").size(), 1u);
}

CAF_TEST(a conversation past its bound forgets its oldest turns but never the newest) {
  chat_history h{"be brief"};
  CAF_CHECK_EQUAL(h.add_turn("q1", "aaaa", 12), 0u); // 6 bytes
  CAF_CHECK_EQUAL(h.add_turn("q2", "bbbb", 12), 0u); // 12: at the bound, kept
  CAF_CHECK_EQUAL(h.add_turn("q3", "cccc", 12), 1u); // 18: q1 goes
  CAF_CHECK_EQUAL(h.turns(), 2u);
  auto m = h.ask("q4");
  CAF_REQUIRE_EQUAL(m.size(), 6u);
  CAF_CHECK_EQUAL(m[0].content, "be brief");
  CAF_CHECK_EQUAL(m[1].content, "q2");
  // One turn over the bound alone is kept, the rest forgotten.
  CAF_CHECK_EQUAL(h.add_turn("q5", std::string(100, 'x'), 12), 2u);
  CAF_CHECK_EQUAL(h.turns(), 1u);
  // After a reset the count starts over.
  h.reset();
  CAF_CHECK_EQUAL(h.add_turn("q6", "dddd", 12), 0u);
  CAF_CHECK_EQUAL(h.add_turn("q7", "eeee", 12), 0u);
}

CAF_TEST(the conversation renders as markdown) {
  chat_history h{std::nullopt};
  h.add_turn("hello", "hi there");
  h.add_turn("more", "done\n");
  CAF_CHECK_EQUAL(h.markdown("scribe"), "## you\n\nhello\n\n## scribe\n\nhi there\n\n"
                                        "## you\n\nmore\n\n## scribe\n\ndone\n\n");
}

CAF_TEST(a text of several lines is a question even when it starts with a slash) {
  auto in = parse_chat_input("/save x\nrm -rf /");
  CAF_CHECK(in.what == chat_command::ask);
  CAF_CHECK_EQUAL(in.text, "/save x\nrm -rf /");
}
