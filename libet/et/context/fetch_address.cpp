#include "et/context/fetch_address.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

namespace et::context {

namespace {

using v4 = std::array<uint8_t, 4>;
using v6 = std::array<uint8_t, 16>;

// Whether `a` lies in b0.b1.b2.0/prefix.
bool in4(const v4& a, uint8_t b0, uint8_t b1, uint8_t b2, int prefix) {
  uint32_t x = (uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) | (uint32_t{a[2]} << 8) | a[3];
  uint32_t net = (uint32_t{b0} << 24) | (uint32_t{b1} << 16) | (uint32_t{b2} << 8);
  uint32_t mask = ~uint32_t{0} << (32 - prefix);
  return (x & mask) == (net & mask);
}

bool in4(const v4& a, uint8_t b0, uint8_t b1, int prefix) {
  return in4(a, b0, b1, 0, prefix);
}

std::optional<std::string> classify4(const v4& a) {
  if (a[0] == 0)
    return "unspecified"; // 0.0.0.0/8: "this network", 0.0.0.0 reaches the local host
  if (a[0] == 127)
    return "loopback";
  if (a[0] == 10 || in4(a, 172, 16, 12) || in4(a, 192, 168, 16))
    return "private";
  if (in4(a, 100, 64, 10))
    return "shared (CGNAT)";
  if (in4(a, 169, 254, 16))
    return "link-local"; // 169.254.169.254: cloud metadata services
  if (a[0] >= 224 && a[0] <= 239)
    return "multicast";
  if (a[0] >= 240)
    return "reserved"; // 240/4 and the broadcast address
  if (in4(a, 192, 0, 0, 24) || in4(a, 192, 0, 2, 24) || in4(a, 198, 51, 100, 24)
      || in4(a, 203, 0, 113, 24) || in4(a, 198, 18, 15) || in4(a, 192, 88, 99, 24))
    return "reserved"; // protocol assignments, documentation, benchmarking, 6to4 relay
  return std::nullopt;
}

v4 embedded4(const v6& a, size_t at) {
  return {a[at], a[at + 1], a[at + 2], a[at + 3]};
}

std::optional<std::string> classify6(const v6& a) {
  bool zero10 = std::all_of(a.begin(), a.begin() + 10, [](uint8_t b) { return b == 0; });
  bool zero12 = zero10 && a[10] == 0 && a[11] == 0;
  if (zero12 && a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] <= 1)
    return a[15] == 0 ? "unspecified" : "loopback";
  if (zero10 && a[10] == 0xff && a[11] == 0xff) {
    // ::ffff:a.b.c.d reaches the IPv4 address through a dual stack: refused as such (a public
    // one is fetched by its own form), and what allow_private never lifts stays refused.
    auto inner = classify4(embedded4(a, 12));
    return inner && !lifted_by_allow_private(*inner) ? *inner : std::string{"IPv4-mapped"};
  }
  if (zero12)
    return "reserved"; // IPv4-compatible ::a.b.c.d (deprecated)
  if (a[0] == 0xff)
    return "multicast";
  if ((a[0] & 0xfe) == 0xfc)
    return "unique-local";
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
    return "link-local";
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
    return "site-local";
  // Forms that carry an IPv4 address: judged by it (NAT64 64:ff9b::/96, 6to4 2002::/16).
  static constexpr uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(a.data(), nat64, 12) == 0)
    return classify4(embedded4(a, 12));
  if (a[0] == 0x20 && a[1] == 0x02)
    return classify4(embedded4(a, 2));
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
    return "reserved"; // documentation
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0)
    return "reserved"; // Teredo: the tunnel's far end is not ours to check
  if (a[0] == 0x01 && a[1] == 0
      && std::all_of(a.begin() + 2, a.begin() + 8, [](uint8_t b) { return b == 0; }))
    return "reserved"; // discard prefix 100::/64
  if ((a[0] & 0xe0) != 0x20)
    return "reserved"; // outside 2000::/3, the global unicast space
  return std::nullopt;
}

// One lookup, shared with a thread that may outlive the caller's wait.
struct lookup {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  int status = 0;
  std::vector<std::string> addresses;
};

void run_lookup(const std::shared_ptr<lookup>& state, const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int status = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  std::vector<std::string> found;
  for (auto* p = list; status == 0 && p; p = p->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = nullptr;
    if (p->ai_family == AF_INET)
      raw = &reinterpret_cast<const sockaddr_in*>(p->ai_addr)->sin_addr;
    else if (p->ai_family == AF_INET6)
      raw = &reinterpret_cast<const sockaddr_in6*>(p->ai_addr)->sin6_addr;
    if (raw && ::inet_ntop(p->ai_family, raw, text, sizeof text))
      if (std::find(found.begin(), found.end(), text) == found.end())
        found.emplace_back(text);
  }
  if (list)
    ::freeaddrinfo(list);
  std::lock_guard lock{state->mutex};
  state->status = status;
  state->addresses = std::move(found);
  state->done = true;
  state->done_cv.notify_all();
}

} // namespace

std::optional<std::string> address_refusal(std::string_view address) {
  std::string text{address};
  v4 a4{};
  v6 a6{};
  if (::inet_pton(AF_INET, text.c_str(), a4.data()) == 1)
    return classify4(a4);
  if (::inet_pton(AF_INET6, text.c_str(), a6.data()) == 1)
    return classify6(a6);
  return "not an address";
}

bool lifted_by_allow_private(std::string_view why) {
  return why == "loopback" || why == "private" || why == "shared (CGNAT)" || why == "link-local"
         || why == "unique-local" || why == "site-local" || why == "IPv4-mapped";
}

result<std::vector<std::string>> resolve_host(const std::string& host,
                                              std::chrono::milliseconds limit) {
  if (host.empty() || host.find('\0') != std::string::npos)
    return make_failure(errc::invalid_input, "empty host");
  auto state = std::make_shared<lookup>();
  // getaddrinfo cannot be cancelled: it runs on its own thread, and a lookup past the limit
  // is abandoned (the thread ends with it and only touches the shared state).
  std::thread{[state, host] { run_lookup(state, host); }}.detach();
  std::unique_lock lock{state->mutex};
  if (!state->done_cv.wait_for(lock, limit, [&] { return state->done; }))
    return make_failure(errc::timeout, "resolving " + host + " took longer than the time limit");
  if (state->status != 0 || state->addresses.empty())
    return make_failure(errc::network,
                        "cannot resolve host " + host + ": "
                            + (state->status ? ::gai_strerror(state->status) : "no address"));
  return state->addresses;
}

result<std::vector<std::string>> checked_addresses(const std::string& host, bool allow_private,
                                                   std::chrono::milliseconds limit) {
  auto addresses = resolve_host(host, limit);
  if (!addresses)
    return addresses.error();
  for (const auto& address : *addresses) {
    auto why = address_refusal(address);
    if (why && !(allow_private && lifted_by_allow_private(*why)))
      return make_failure(
          errc::invalid_input,
          "refused: " + host + " resolves to a " + *why + " address (" + address + ")"
              + (lifted_by_allow_private(*why) ? "; context.fetch.allow_private allows it" : ""));
  }
  return addresses;
}

} // namespace et::context
