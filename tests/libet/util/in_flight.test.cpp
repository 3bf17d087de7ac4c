#define CAF_SUITE libet.util.in_flight
#include "caf/test/unit_test.hpp"

#include <memory>
#include <string>

#include "et/util/in_flight.hpp"

using et::util::in_flight;

CAF_TEST(an added request is found until it is taken) {
  in_flight<uint64_t, std::string> t;
  CAF_CHECK(t.empty());
  t.add(7, "seven");
  t.add(8, "eight");
  CAF_CHECK_EQUAL(t.size(), 2u);
  CAF_REQUIRE(t.find(7) != nullptr);
  CAF_CHECK_EQUAL(*t.find(7), "seven");
  CAF_CHECK(t.find(9) == nullptr);
  auto taken = t.take(7);
  CAF_REQUIRE(taken);
  CAF_CHECK_EQUAL(*taken, "seven");
  CAF_CHECK(t.find(7) == nullptr);
  CAF_CHECK_EQUAL(t.size(), 1u);
}

CAF_TEST(a request ends once so a late reply after a cancel finds nothing) {
  in_flight<uint64_t, std::string> t;
  t.add(1, "call");
  CAF_CHECK(t.take(1).has_value());  // the cancel
  CAF_CHECK(!t.take(1).has_value()); // the reply arriving afterwards
  CAF_CHECK(t.empty());
}

CAF_TEST(an entry found can be updated in place) {
  in_flight<uint64_t, std::string> t;
  t.add(3, "started");
  *t.find(3) += " with a handle";
  auto done = t.take(3);
  CAF_REQUIRE(done);
  CAF_CHECK_EQUAL(*done, "started with a handle");
}

CAF_TEST(adding under a key in flight replaces its entry) {
  in_flight<uint64_t, std::string> t;
  t.add(2, "old");
  auto& e = t.add(2, "new");
  CAF_CHECK_EQUAL(e, "new");
  CAF_CHECK_EQUAL(t.size(), 1u);
  CAF_CHECK_EQUAL(*t.find(2), "new");
}

CAF_TEST(move only entries are handed over whole) {
  in_flight<uint64_t, std::unique_ptr<int>> t;
  t.add(4, std::make_unique<int>(40));
  auto taken = t.take(4);
  CAF_REQUIRE(taken && *taken);
  CAF_CHECK_EQUAL(**taken, 40);
}

CAF_TEST(take all ends every request and visits each once) {
  in_flight<uint64_t, int> t;
  for (uint64_t i = 1; i <= 3; ++i)
    t.add(i, static_cast<int>(i * 10));
  int seen = 0;
  t.for_each([&](uint64_t key, int& value) {
    CAF_CHECK_EQUAL(value, static_cast<int>(key * 10));
    seen += value;
  });
  CAF_CHECK_EQUAL(seen, 60);
  auto all = t.take_all();
  CAF_CHECK_EQUAL(all.size(), 3u);
  int sum = 0;
  for (auto& [key, value] : all)
    sum += value;
  CAF_CHECK_EQUAL(sum, 60);
  CAF_CHECK(t.empty());
  CAF_CHECK(t.take_all().empty());
}
