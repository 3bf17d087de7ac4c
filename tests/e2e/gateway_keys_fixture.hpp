#pragma once
/// What the gateway key suites share (gateway_keys, gateway_budgets): a gateway with priced
/// models (at $1 a token, so budgets bite at once), providers that time out before and after a
/// request is sent, `et keys` and `et cost` from the test, and a second gateway on the same
/// state dir.

#include <chrono>
#include <thread>

#include "gateway_fixture.hpp"
#include "loopback_server.hpp"
#include "loopback_socket.hpp"

namespace et::e2e::gw {

struct keys_fixture : fixture {
  et::test::silent_listener silent; ///< accepts connections and never says a word

  keys_fixture() {
    // $1 per token both ways: a request is worth dollars, and budgets bite at once.
    auto file = dir / "et.yaml";
    auto text = read_file(file);
    auto at = text.find("models:\n");
    CAF_REQUIRE(at != std::string::npos);
    text.insert(at + 8, "  priced: {provider: oa, model: fake-small, price: {input: 1000000, "
                        "output: 1000000}}\n"
                        "  pricedcut: {provider: cutter, model: fake-small, price: {input: "
                        "1000000, output: 1000000}}\n");
    // Two providers that time out: one never completes its TLS handshake (the request is
    // never sent), one takes the request and never answers (the upstream may bill it).
    auto upstream_url = "http://127.0.0.1:" + std::to_string(upstream.port()) + "/v1";
    text.insert(text.find("providers:\n") + 11,
                "  unreachable: {type: openai, base_url: \"https://127.0.0.1:"
                    + std::to_string(silent.port())
                    + "/v1\", timeouts: {connect: 300ms}}\n"
                      "  hanging: {type: openai, base_url: \""
                    + upstream_url
                    + "\", headers: {x-fake-fault: hang}, timeouts: {first_byte: 300ms}}\n");
    at = text.find("models:\n");
    text.insert(at + 8, "  pricedgone: {provider: unreachable, model: fake-small, price: {input: "
                        "1000000, output: 1000000}}\n"
                        "  pricedhang: {provider: hanging, model: fake-small, price: {input: "
                        "1000000, output: 1000000}}\n");
    // An unpriced model with a priced fallback (another model: a fallback to the same one is
    // refused).
    text.insert(text.find("models:\n") + 8, "  pricedmedium: {provider: oa, model: fake-medium, "
                                            "price: {input: 1000000, output: 1000000}}\n");
    text.insert(text.find("roles:\n") + 7, "  mixed: {model: gpt, fallbacks: [pricedmedium]}\n");
    std::ofstream{file} << text;
  }

  finished et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back((dir / "et.yaml").string());
    return run_et(dir, args);
  }

  // `et keys create NAME flags...`: the key it printed.
  std::string create(const std::string& name, std::vector<std::string> flags = {}) {
    flags.insert(flags.begin(), {"keys", "create", name});
    auto r = et(flags);
    CAF_REQUIRE_EQUAL(r.code, 0);
    auto key = r.out.substr(0, r.out.find('\n'));
    CAF_REQUIRE_EQUAL(r.out, key + "\n"); // one line, the key alone
    CAF_REQUIRE_EQUAL(key.rfind("et-", 0), 0u);
    return key;
  }

  // A second `et serve --http` on the same configuration and state dir.
  std::unique_ptr<child> second;
  uint16_t second_port = 0;
  void serve_second() {
    second =
        std::make_unique<child>(dir, "serve2",
                                std::vector<std::string>{"serve", "--http", "127.0.0.1:0",
                                                         "--config", (dir / "et.yaml").string()});
    const std::string mark = "gateway listening on http://127.0.0.1:";
    poll_until([&] { return has(second->err(), mark) || second->poll().has_value(); }, 15s);
    auto err = second->err();
    auto at = err.find(mark);
    CAF_REQUIRE(at != std::string::npos);
    second_port = static_cast<uint16_t>(std::stoi(err.substr(at + mark.size())));
  }

  ~keys_fixture() {
    if (second) {
      second->signal(SIGTERM);
      second->wait();
    }
  }

  // `et cost --by key --json` once it shows `requests` requests: records are settled off the
  // HTTP thread, a moment after their answers.
  finished cost_once_recorded(int requests) {
    finished cost;
    auto seen = R"("requests":)" + std::to_string(requests);
    poll_until(
        [&] {
          cost = et({"cost", "--by", "key", "--json"});
          return has(cost.out, seen);
        },
        10s);
    return cost;
  }

  answer oai(const std::string& body, const std::string& key) {
    return call("POST", "/v1/chat/completions", body, {{"Authorization", "Bearer " + key}});
  }
  answer ant(const std::string& body, const std::string& key) {
    return call("POST", "/v1/messages", body,
                {{"anthropic-version", "2023-06-01"}, {"x-api-key", key}});
  }
};

inline std::string error_type(const std::string& body) {
  return field(body, "error", "type");
}

// Rate windows are calendar minutes of the wall clock, which a test cannot hold still: two
// requests that must share a window start with at least `needed` left in the current one.
inline void wait_for_room_in_the_minute(std::chrono::seconds needed) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto into = now % std::chrono::minutes{1};
  if (into > std::chrono::minutes{1} - needed)
    std::this_thread::sleep_for(std::chrono::minutes{1} - into);
}

} // namespace et::e2e::gw
