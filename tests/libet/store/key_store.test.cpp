#define CAF_SUITE libet.store.key_store
#include "caf/test/unit_test.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sqlite3.h>
#include <unistd.h>

#include "et/store/holder.hpp"
#include "et/store/key_store.hpp"
#include "key_store_test.hpp"
#include "raw_sql.hpp"

using namespace et;
using namespace et::test::keys;

CAF_TEST_FIXTURE_SCOPE(key_store_tests, fixture)

CAF_TEST(keys are random and stored only as their hash) {
  auto a = store::generate_key();
  auto b = store::generate_key();
  CAF_REQUIRE(a && b);
  CAF_CHECK_NOT_EQUAL(*a, *b);
  CAF_CHECK_EQUAL(a->rfind("et-", 0), 0u);
  CAF_CHECK_EQUAL(a->size(), 3u + 43u); // 32 bytes, unpadded base64url
  CAF_CHECK_EQUAL(a->find_first_not_of("et-ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789_"),
                  std::string::npos);
  CAF_CHECK_EQUAL(store::hash_key("abc"),
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto s = open();
  auto key = s->create("ci", {}, t0);
  CAF_REQUIRE(key);
  s.reset();
  std::ifstream in{file, std::ios::binary};
  std::string bytes{std::istreambuf_iterator<char>{in}, {}};
  for (const auto& side : {"", "-wal"}) {
    std::ifstream more{fs::path{file} += side, std::ios::binary};
    bytes += std::string{std::istreambuf_iterator<char>{more}, {}};
  }
  CAF_CHECK_EQUAL(bytes.find(*key), std::string::npos);
  CAF_CHECK_NOT_EQUAL(bytes.find(store::hash_key(*key)), std::string::npos);
  CAF_CHECK_EQUAL(fs::status(file).permissions() & fs::perms::group_read, fs::perms::none);
}

CAF_TEST(create then find by the key and list without it and revoke) {
  auto s = open();
  CAF_CHECK(!s->any_active().value());
  store::key_limits l;
  l.budget_day = 2.5;
  l.budget_total = 10;
  l.models = {"gpt", "claude"};
  l.rpm = 60;
  l.tpm = 1000;
  auto key = s->create("team-a", l, t0);
  CAF_REQUIRE(key);
  CAF_CHECK(s->any_active().value());
  auto found = s->find(*key);
  CAF_REQUIRE(found && *found);
  CAF_CHECK_EQUAL((*found)->name, "team-a");
  CAF_CHECK((*found)->limits == l);
  CAF_CHECK(!(*found)->revoked);
  auto none = s->find(*key + "x");
  CAF_REQUIRE(none);
  CAF_CHECK(!none->has_value());
  auto listed = s->list(t0);
  CAF_REQUIRE(listed);
  CAF_REQUIRE_EQUAL(listed->size(), 1u);
  CAF_CHECK_EQUAL((*listed)[0].created_ms, t0);
  auto first = s->revoke("team-a");
  CAF_REQUIRE(first);
  CAF_CHECK(*first); // it was active
  auto again = s->revoke("team-a");
  CAF_REQUIRE(again); // twice is fine, and says so
  CAF_CHECK(!*again);
  CAF_CHECK(!s->any_active().value());
  auto after = s->find(*key);
  CAF_REQUIRE(after && *after);
  CAF_CHECK((*after)->revoked);
  auto missing = s->revoke("nobody");
  CAF_REQUIRE(!missing);
  CAF_CHECK_EQUAL(missing.error().code, errc::not_found);
  auto admitted = s->admit({"team-a", 0.1, 10, t0});
  CAF_REQUIRE(!admitted);
  CAF_CHECK_EQUAL(admitted.error().code, errc::auth);
}

CAF_TEST(names are checked and never reused) {
  auto s = open();
  for (std::string bad :
       std::vector<std::string>{"", "-x", "a b", "a/b", "é", std::string(65, 'a')}) {
    auto r = s->create(bad, {}, t0);
    CAF_CHECK(!r);
    if (!r)
      CAF_CHECK_EQUAL(r.error().code, errc::invalid_input);
  }
  CAF_CHECK(s->create("ok.name_1-2", {}, t0));
  auto again = s->create("ok.name_1-2", {}, t0);
  CAF_REQUIRE(!again);
  CAF_CHECK_NOT_EQUAL(again.error().message.find("exists already"), std::string::npos);
  CAF_CHECK(s->revoke("ok.name_1-2"));
  auto revoked = s->create("ok.name_1-2", {}, t0);
  CAF_REQUIRE(!revoked);
  CAF_CHECK_NOT_EQUAL(revoked.error().message.find("revoked"), std::string::npos);
  store::key_limits bad;
  bad.budget_day = -1;
  CAF_CHECK(!s->create("b1", bad, t0));
  bad = {};
  bad.rpm = 0;
  CAF_CHECK(!s->create("b2", bad, t0));
  bad = {};
  bad.models = {"a,b"};
  CAF_CHECK(!s->create("b3", bad, t0));
}

CAF_TEST(a total budget holds across two stores on one file) {
  auto one = open();
  auto two = open(); // another process, as far as SQLite is concerned
  store::key_limits l;
  l.budget_total = 1.0;
  CAF_REQUIRE(one->create("k", l, t0));
  // Both reserve 0.4: 0.8 of 1.0 is held; a third 0.4 does not fit anywhere.
  auto a = one->admit({"k", 0.4, 10, t0});
  auto b = two->admit({"k", 0.4, 10, t0});
  CAF_REQUIRE(a && b);
  CAF_CHECK_NOT_EQUAL(a->id, 0);
  CAF_CHECK_NOT_EQUAL(b->id, 0);
  auto c = two->admit({"k", 0.4, 10, t0});
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->id, 0);
  CAF_CHECK(c->why == store::key_refusal::budget_total);
  CAF_CHECK_NOT_EQUAL(c->message.find("total budget of $1"), std::string::npos);
  // Settled at the real cost (0.1 each): 0.8 is left, across restarts too.
  CAF_REQUIRE(one->settle(a->id, answer("k", 0.1, t0)));
  CAF_REQUIRE(two->settle(b->id, answer("k", 0.1, t0)));
  one.reset();
  auto three = open();
  auto d = three->admit({"k", 0.8, 10, t0 + 2 * day});
  CAF_REQUIRE(d);
  CAF_CHECK_NOT_EQUAL(d->id, 0);
  auto e = two->admit({"k", 0.01, 10, t0 + 2 * day});
  CAF_REQUIRE(e);
  CAF_CHECK_EQUAL(e->id, 0);
  auto listed = two->list(t0);
  CAF_REQUIRE(listed && listed->size() == 1);
  CAF_CHECK_EQUAL((*listed)[0].spent_total, 0.2);
  CAF_CHECK_EQUAL((*listed)[0].requests, 2);
}

CAF_TEST(a daily budget starts again the next UTC day) {
  auto s = open();
  store::key_limits l;
  l.budget_day = 0.5;
  CAF_REQUIRE(s->create("k", l, t0));
  auto a = s->admit({"k", 0.5, 10, t0});
  CAF_REQUIRE(a && a->id != 0);
  CAF_REQUIRE(s->settle(a->id, answer("k", 0.5, t0)));
  auto b = s->admit({"k", 0.01, 10, t0});
  CAF_REQUIRE(b);
  CAF_CHECK(b->why == store::key_refusal::budget_day);
  CAF_CHECK_GREATER(b->retry_after_s, 0);
  auto c = s->admit({"k", 0.5, 10, t0 + day});
  CAF_REQUIRE(c);
  CAF_CHECK_NOT_EQUAL(c->id, 0);
}

CAF_TEST(rpm and tpm count in one - minute windows shared by every store) {
  auto one = open();
  auto two = open();
  store::key_limits l;
  l.rpm = 2;
  l.tpm = 100;
  CAF_REQUIRE(one->create("k", l, t0));
  const int64_t at = (t0 / 60'000) * 60'000 + 15'000; // 45 s left in the window
  auto a = one->admit({"k", 0, 60, at});
  CAF_REQUIRE(a && a->id != 0);
  // 60 + 60 > 100 tokens: refused until the window turns.
  auto big = two->admit({"k", 0, 60, at});
  CAF_REQUIRE(big);
  CAF_CHECK(big->why == store::key_refusal::tpm);
  CAF_CHECK_EQUAL(big->retry_after_s, 45);
  // The answer used 30 tokens, not 60: now 30 + 60 fits.
  CAF_REQUIRE(one->settle(a->id, answer("k", 0, at)));
  auto b = two->admit({"k", 0, 60, at});
  CAF_REQUIRE(b && b->id != 0);
  auto c = one->admit({"k", 0, 1, at + 1000});
  CAF_REQUIRE(c);
  CAF_CHECK(c->why == store::key_refusal::rpm);
  CAF_CHECK_EQUAL(c->retry_after_s, 44);
  CAF_CHECK_NOT_EQUAL(c->message.find("2 requests per minute"), std::string::npos);
  auto d = one->admit({"k", 0, 1, at + 45'000});
  CAF_REQUIRE(d);
  CAF_CHECK_NOT_EQUAL(d->id, 0);
  // A request larger than the whole tpm still passes in an empty window.
  auto huge = two->admit({"k", 0, 5000, at + 200'000});
  CAF_REQUIRE(huge);
  CAF_CHECK_NOT_EQUAL(huge->id, 0);
}

CAF_TEST(reservations of a process that is gone are dropped) {
  auto live = open();
  store::key_limits l;
  l.budget_total = 1.0;
  CAF_REQUIRE(live->create("k", l, t0));
  {
    // A holder that names no live process: a crashed et serve.
    auto dead = open("99999999 no-boot 1");
    auto r = dead->admit({"k", 0.9, 10, t0});
    CAF_REQUIRE(r && r->id != 0);
  }
  auto r = live->admit({"k", 0.9, 10, t0});
  CAF_REQUIRE(r);
  CAF_CHECK_NOT_EQUAL(r->id, 0);
}

CAF_TEST(requests are recorded with their key) {
  auto s = open();
  CAF_REQUIRE(s->create("k", {}, t0));
  CAF_REQUIRE(s->settle(0, answer("", 0.25, t0)));
  auto a = s->admit({"k", 0.1, 10, t0 + 5});
  CAF_REQUIRE(a && a->id != 0);
  CAF_REQUIRE(s->settle(a->id, answer("k", 0.05, t0 + 10)));
  auto rows = s->requests_since(t0 + 1);
  CAF_REQUIRE(rows);
  CAF_REQUIRE_EQUAL(rows->size(), 1u);
  CAF_CHECK_EQUAL((*rows)[0].key, "k");
  CAF_CHECK_EQUAL((*rows)[0].usd.value_or(-1), 0.05);
  CAF_CHECK_EQUAL((*rows)[0].tokens.completion_tokens, 20);
  CAF_CHECK_EQUAL((*rows)[0].status, 200);
  CAF_CHECK_EQUAL(s->requests_since(0)->size(), 2u);
}

CAF_TEST_FIXTURE_SCOPE_END()
