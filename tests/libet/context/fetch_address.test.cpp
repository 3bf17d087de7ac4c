#define CAF_SUITE libet.context.fetch_address
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <utility>
#include <vector>

#include "et/context/fetch_address.hpp"

using namespace et::context;
using namespace std::chrono_literals;

CAF_TEST(non public addresses are refused with their class) {
  std::vector<std::pair<const char*, const char*>> table{
      {"127.0.0.1", "loopback"},
      {"127.255.255.254", "loopback"},
      {"10.1.2.3", "private"},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"192.168.1.1", "private"},
      {"100.64.0.1", "shared (CGNAT)"},
      {"100.127.255.255", "shared (CGNAT)"},
      {"169.254.169.254", "link-local"},
      {"169.254.0.1", "link-local"},
      {"0.0.0.0", "unspecified"},
      {"0.1.2.3", "unspecified"},
      {"224.0.0.1", "multicast"},
      {"239.255.255.250", "multicast"},
      {"255.255.255.255", "reserved"},
      {"240.0.0.1", "reserved"},
      {"192.0.2.1", "reserved"},
      {"198.18.0.1", "reserved"},
      {"::1", "loopback"},
      {"::", "unspecified"},
      {"::ffff:127.0.0.1", "IPv4-mapped"},
      {"::ffff:7f00:1", "IPv4-mapped"},
      {"::ffff:8.8.8.8", "IPv4-mapped"},
      // What allow_private never lifts stays refused as what it is, mapped or not.
      {"::ffff:0.0.0.0", "unspecified"},
      {"::ffff:224.0.0.1", "multicast"},
      {"::ffff:255.255.255.255", "reserved"},
      {"::ffff:169.254.169.254", "IPv4-mapped"},
      {"::127.0.0.1", "reserved"},
      {"fc00::1", "unique-local"},
      {"fd12:3456:789a::1", "unique-local"},
      {"fe80::1", "link-local"},
      {"febf::1", "link-local"},
      {"fec0::1", "site-local"},
      {"ff02::1", "multicast"},
      {"ff05::2", "multicast"},
      {"64:ff9b::a9fe:a9fe", "link-local"}, // NAT64 of 169.254.169.254
      {"64:ff9b::7f00:1", "loopback"},
      {"2002:7f00:1::", "loopback"},   // 6to4 of 127.0.0.1
      {"2002:c0a8:101::1", "private"}, // 6to4 of 192.168.1.1
      {"2001:db8::1", "reserved"},
      {"2001::1", "reserved"}, // Teredo
      {"100::1", "reserved"},
      {"4000::1", "reserved"},
  };
  for (const auto& [address, why] : table) {
    auto got = address_refusal(address);
    CAF_MESSAGE(address);
    CAF_REQUIRE(got.has_value());
    CAF_CHECK_EQUAL(*got, why);
  }
}

CAF_TEST(public addresses pass) {
  for (const char* address :
       {"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "172.15.255.255", "100.63.255.255",
        "100.128.0.1", "169.253.255.255", "11.0.0.1", "223.255.255.254", "2606:4700:4700::1111",
        "2a00:1450:4001::200e", "64:ff9b::808:808", "2002:808:808::1"}) {
    CAF_MESSAGE(address);
    CAF_CHECK(!address_refusal(address).has_value());
  }
  // Held in locals: a reference into a temporary optional dangles inside CAF_CHECK_EQUAL.
  auto name = address_refusal("example.com");
  auto short_form = address_refusal("127.1"); // literals only: resolve first
  CAF_CHECK_EQUAL(name.value_or(""), "not an address");
  CAF_CHECK_EQUAL(short_form.value_or(""), "not an address");
}

CAF_TEST(allow_private lifts internal ranges but never multicast unspecified or reserved) {
  for (const char* why : {"loopback", "private", "shared (CGNAT)", "link-local", "unique-local",
                          "site-local", "IPv4-mapped"})
    CAF_CHECK(lifted_by_allow_private(why));
  for (const char* why : {"multicast", "unspecified", "reserved", "not an address"})
    CAF_CHECK(!lifted_by_allow_private(why));
}

CAF_TEST(every spelling the resolver accepts for loopback is refused) {
  // Decimal, hex, octal and short forms that inet_aton (and so getaddrinfo) accept, and the
  // IPv6 forms; the policy judges what they resolve to, not how they are written.
  for (const char* host : {"127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1",
                           "127.1", "0x7f.1", "017700000001", "::1", "::ffff:127.0.0.1",
                           "::ffff:7f00:1", "0:0:0:0:0:0:0:1", "localhost"}) {
    CAF_MESSAGE(host);
    auto got = checked_addresses(host, false, 5s);
    CAF_REQUIRE(!got);
    CAF_CHECK_EQUAL(got.error().code, et::errc::invalid_input);
    CAF_CHECK(got.error().message.find("refused") != std::string::npos);
  }
  for (const char* host : {"0", "0x0", "169.254.169.254", "2852039166", "0xa9fea9fe", "10.0.0.1",
                           "167772161", "012.0.0.1", "100.64.0.1"}) {
    CAF_MESSAGE(host);
    CAF_CHECK(!checked_addresses(host, false, 5s));
  }
}

CAF_TEST(allow_private lets loopback through and the checked address is returned) {
  auto got = checked_addresses("2130706433", true, 5s);
  CAF_REQUIRE(got);
  CAF_CHECK_EQUAL(*got, std::vector<std::string>{"127.0.0.1"});
  auto v6 = checked_addresses("::1", true, 5s);
  CAF_REQUIRE(v6);
  CAF_CHECK_EQUAL(*v6, std::vector<std::string>{"::1"});
  auto multicast = checked_addresses("224.0.0.1", true, 5s);
  CAF_CHECK(!multicast);
}

CAF_TEST(the refusal names the host and the address and how to allow it) {
  auto got = checked_addresses("127.0.0.1", false, 5s);
  CAF_REQUIRE(!got);
  CAF_CHECK_EQUAL(got.error().message,
                  "refused: 127.0.0.1 resolves to a loopback address (127.0.0.1); "
                  "context.fetch.allow_private allows it");
}

CAF_TEST(an unknown host fails as a network error) {
  auto got = checked_addresses("no-such-host.invalid", false, 5s);
  CAF_REQUIRE(!got);
  CAF_CHECK(got.error().code == et::errc::network || got.error().code == et::errc::timeout);
}
