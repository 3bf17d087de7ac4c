#pragma once
/// What the gateway's end-to-end suites share: the fake upstream on loopback,
/// a configuration whose aliases speak every protocol or fail on purpose,
/// `et serve --http` as a child process, and a blocking HTTP client.

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <future>
#include <mutex>
#include <set>

#include "child.hpp"
#include "et/http/client.hpp"
#include "et/http/runtime.hpp"
#include "fake_upstream/server.hpp"
#include "self_signed.hpp"
#include "temp_dir.hpp"

namespace et::e2e::gw {

namespace json = boost::json;

// The string at `a`.`b` of the JSON `body`, "" when it is not there (a copy:
// CAF's check macros keep references past the full expression).
inline std::string field(const std::string& body, const char* a, const char* b) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object() || !v.as_object().contains(a) || !v.at(a).is_object())
    return {};
  const auto* x = v.at(a).as_object().if_contains(b);
  return x && x->is_string() ? std::string{x->as_string()} : std::string{};
}

inline bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct answer {
  int status = 0;
  et::http::header_list headers;
  std::string body;
  std::string failure; ///< the client's failure, "" when the exchange completed
  /// The header `name` (give it in lower case), "" when absent.
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      std::string lower = k;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower == name)
        return v;
    }
    return {};
  }
};

// One server-sent event.
struct event {
  std::string name;
  json::value data; ///< null for [DONE]
  bool done = false;
};

inline std::vector<event> events_of(const std::string& body) {
  std::vector<event> out;
  size_t at = 0;
  while (at < body.size()) {
    auto end = body.find("\n\n", at);
    if (end == std::string::npos)
      break;
    event ev;
    std::istringstream lines{body.substr(at, end - at)};
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("event: ", 0) == 0)
        ev.name = line.substr(7);
      else if (line == "data: [DONE]")
        ev.done = true;
      else if (line.rfind("data: ", 0) == 0)
        ev.data = json::parse(line.substr(6));
    }
    out.push_back(std::move(ev));
    at = end + 2;
  }
  return out;
}

inline const char* const config_text = R"(providers:
  oa: {type: openai, base_url: "BASE/v1", api_key: sk-oa-SECRET-1}
  an: {type: anthropic, base_url: "BASE", api_key: sk-ant-SECRET-2}
  ge: {type: gemini, base_url: "BASE", api_key: AIza-SECRET-3}
  ol: {type: ollama, base_url: "BASE"}
  limited: {type: openai, base_url: "BASE/v1", api_key: sk-lim-SECRET-4, headers: {x-fake-fault: rate_limit}}
  busy: {type: anthropic, base_url: "BASE", api_key: sk-busy-SECRET-5, headers: {x-fake-fault: overloaded}}
  busy2: {type: anthropic, base_url: "BASE", api_key: sk-busy-SECRET-5, headers: {x-fake-fault: overloaded}}
  cutter: {type: openai, base_url: "BASE/v1", headers: {x-fake-fault: stream_error, x-fake-text: "one two three four"}}
  cutter2: {type: anthropic, base_url: "BASE", api_key: sk-cut-SECRET-7, headers: {x-fake-fault: stream_error, x-fake-text: "one two three four"}}
  locked: {type: openai, base_url: "BASE/v1", api_key: sk-locked-SECRET-6, headers: {x-fake-fault: unauthorized}}
  gone: {type: openai, base_url: "http://127.0.0.1:1/v1"}
  gonea: {type: anthropic, base_url: "http://127.0.0.1:2", api_key: sk-gonea-SECRET-12}
  oatool: {type: openai, base_url: "BASE/v1", headers: {x-fake-tool: get_weather, x-fake-text: "Checking."}}
  oapatch: {type: openai, base_url: "BASE/v1", headers: {x-fake-tool: apply_patch, x-fake-text: "Patching."}}
  antool: {type: anthropic, base_url: "BASE", api_key: sk-antool-SECRET-8, headers: {x-fake-tool: get_weather, x-fake-text: "Checking."}}
  holder: {type: openai, base_url: "BASE/v1", headers: {x-fake-hold: "1", x-fake-text: "first second third"}}
  oathink: {type: openai, base_url: "BASE/v1", headers: {x-fake-thinking: "Weighing it up."}}
  anthink: {type: anthropic, base_url: "BASE", api_key: sk-anthink-SECRET-9, headers: {x-fake-thinking: "Weighing it up."}}
  gethink: {type: gemini, base_url: "BASE", api_key: AIza-think-SECRET-10, headers: {x-fake-thinking: "Weighing it up."}}
  olthink: {type: ollama, base_url: "BASE", headers: {x-fake-thinking: "Weighing it up."}}
  thinkcutter: {type: anthropic, base_url: "BASE", api_key: sk-thinkcut-SECRET-11, headers: {x-fake-thinking: "Weighing it up.", x-fake-fault: stream_error, x-fake-cut-after: "0"}}
  thinkdropper: {type: anthropic, base_url: "BASE", api_key: sk-thinkcut-SECRET-11, headers: {x-fake-thinking: "Weighing it up.", x-fake-fault: cut, x-fake-cut-after: "0"}}
  garbler: {type: anthropic, base_url: "BASE", api_key: sk-garble-SECRET-13, headers: {x-fake-fault: malformed}}
models:
  gpt: {provider: oa, model: fake-small}
  claude: {provider: an, model: fake-large}
  gem: {provider: ge, model: fake-medium}
  llama: {provider: ol, model: fake-small}
  slow429: {provider: limited, model: fake-small}
  busy: {provider: busy, model: fake-large}
  busy2: {provider: busy2, model: fake-large}
  cut: {provider: cutter, model: fake-small}
  cut2: {provider: cutter2, model: fake-small}
  cut3: {provider: cutter, model: fake-medium}
  locked: {provider: locked, model: fake-small}
  gone: {provider: gone, model: fake-small}
  gonea: {provider: gonea, model: fake-large}
  held: {provider: holder, model: fake-small}
  gpttool: {provider: oatool, model: fake-small}
  gptpatch: {provider: oapatch, model: fake-small}
  gpt-5.5: {provider: oa, model: fake-small}
  claudetool: {provider: antool, model: fake-large}
  gptthink: {provider: oathink, model: fake-small}
  claudethink: {provider: anthink, model: fake-large}
  gemthink: {provider: gethink, model: fake-medium}
  llamathink: {provider: olthink, model: fake-small}
  claudeadapt: {provider: an, model: fake-large, thinking: adaptive}
  claudebudget: {provider: an, model: fake-large, thinking: budget}
  claudetoolthink: {provider: antool, model: fake-large, thinking: adaptive}
  thinkcut: {provider: thinkcutter, model: fake-large}
  thinkcut2: {provider: thinkcutter, model: fake-medium}
  thinkdrop: {provider: thinkdropper, model: fake-large}
  garbled: {provider: garbler, model: fake-large}
  garbled2: {provider: garbler, model: fake-medium}
roles:
  coder: {model: slow429, fallbacks: [gpt]}
  cutrole: {model: cut, fallbacks: [gpt]}
  cutrole2: {model: cut2, fallbacks: [claude]}
  cutrole3: {model: cut3, fallbacks: [gpt]}
  team: {pool: [gpt, claude, gem], fallbacks: [llama]}
  thinkrole: {model: thinkcut, fallbacks: [claude]}
  thinkrole2: {model: thinkcut2, fallbacks: [claude]}
  thinkrole3: {model: thinkdrop, fallbacks: [claude]}
  garblerole: {model: garbled, fallbacks: [gpt]}
retry: {attempts: 1}
cooldown: {failures: 1, window: 60s, period: 30s}
defaults: {state_dir: state}
)";

/// One gateway in front of one fake upstream, in a temporary folder.
struct fixture : et::test::scratch_dir {
  et::fake::server upstream{et::fake::options{}};
  std::unique_ptr<child> gateway;
  uint16_t port = 0;
  et::http::runtime rt{1};
  et::http::client client{rt, et::http::client_options{}};
  std::unique_ptr<et::http::client> tls_client; ///< set by serve_tls(): trusts its certificate
  std::string scheme = "http";

  fixture() : scratch_dir("e2e-gateway") {
    if (!upstream.start())
      CAF_FAIL("cannot start the fake upstream");
    std::string text = config_text;
    auto base = "http://127.0.0.1:" + std::to_string(upstream.port());
    for (size_t at; (at = text.find("BASE")) != std::string::npos;)
      text.replace(at, 4, base);
    std::ofstream{dir / "et.yaml"} << text;
  }

  ~fixture() {
    if (gateway) {
      gateway->signal(SIGTERM);
      gateway->wait();
    }
    upstream.stop();
  }

  // Starts `et serve --http 127.0.0.1:0 EXTRA...` and reads its port from stderr.
  void serve(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"serve", "--http", "127.0.0.1:0", "--config",
                                  (dir / "et.yaml").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    gateway = std::make_unique<child>(dir, "serve", args);
    CAF_REQUIRE(gateway->started());
    const std::string mark = "gateway listening on " + scheme + "://127.0.0.1:";
    poll_until([&] { return has(gateway->err(), mark) || gateway->poll().has_value(); }, 15s);
    auto err = gateway->err();
    auto at = err.find(mark);
    CAF_REQUIRE(at != std::string::npos);
    port = static_cast<uint16_t>(std::stoi(err.substr(at + mark.size())));
  }

  et::http::request request(const std::string& method, const std::string& target,
                            const std::string& body, et::http::header_list headers) {
    et::http::request r;
    r.method = method;
    r.base = et::parse_url(scheme + "://127.0.0.1:" + std::to_string(port)).value();
    r.target = target;
    r.body = body;
    r.headers = std::move(headers);
    r.headers.emplace_back("Content-Type", "application/json");
    r.timeouts.connect = 5s;
    r.timeouts.first_byte = 20s;
    r.timeouts.idle = 20s;
    r.timeouts.total = 30s;
    return r;
  }

  answer call(const std::string& method, const std::string& target, const std::string& body = "",
              et::http::header_list headers = {}) {
    auto out = std::make_shared<answer>();
    auto finished = std::make_shared<std::promise<void>>();
    et::http::handlers h;
    h.on_head = [out](const et::http::response_head& head) {
      out->status = head.status;
      out->headers = head.headers;
    };
    h.on_body = [out](std::string_view piece) { out->body += piece; };
    h.on_done = [out, finished](et::result<void> r) {
      if (!r)
        out->failure = r.error().message;
      finished->set_value();
    };
    (tls_client ? *tls_client : client).send(request(method, target, body, std::move(headers)), h);
    CAF_REQUIRE(finished->get_future().wait_for(30s) == std::future_status::ready);
    return *out;
  }

  // Writes a self-signed certificate for 127.0.0.1 (cert.pem) and its key (key.pem, 0600),
  // trusts it, and serves HTTPS with them.
  void serve_tls() {
    write_tls_files();
    scheme = "https";
    et::http::client_options trusting;
    trusting.tls.ca_file = (dir / "cert.pem").string();
    tls_client = std::make_unique<et::http::client>(rt, trusting);
    serve({"--tls-cert", (dir / "cert.pem").string(), "--tls-key", (dir / "key.pem").string()});
  }

  void write_tls_files() {
    static const auto id = et::test::make_self_signed();
    std::ofstream{dir / "cert.pem"} << id.cert_pem;
    std::ofstream{dir / "key.pem"} << id.key_pem;
    fs::permissions(dir / "key.pem", fs::perms::owner_read | fs::perms::owner_write);
  }

  answer openai(const std::string& body) { return call("POST", "/v1/chat/completions", body); }
  answer anthropic(const std::string& body) {
    return call("POST", "/v1/messages", body, {{"anthropic-version", "2023-06-01"}});
  }

  // Nothing configured as a secret appears in `text`.
  static bool clean(const std::string& text) { return !has(text, "SECRET"); }
};

inline std::string oai_body(const std::string& model, bool stream, const std::string& extra = "") {
  return R"({"model":")" + model + R"(","stream":)" + (stream ? "true" : "false")
         + R"(,"messages":[{"role":"user","content":"hello gateway"}])" + extra + "}";
}

inline std::string ant_body(const std::string& model, bool stream, const std::string& extra = "") {
  return R"({"model":")" + model + R"(","max_tokens":64,"stream":)" + (stream ? "true" : "false")
         + R"(,"messages":[{"role":"user","content":"hello gateway"}])" + extra + "}";
}

// The deltas of an OpenAI stream's `field` ("content", "reasoning_content") joined.
inline std::string openai_deltas(const std::vector<event>& evs, const char* field) {
  std::string out;
  for (const auto& e : evs)
    if (!e.done && e.data.is_object() && e.data.as_object().contains("choices")
        && !e.data.at("choices").as_array().empty()) {
      const auto& d = e.data.at("choices").at(0).at("delta").as_object();
      if (auto* c = d.if_contains(field); c && c->is_string())
        out += std::string{c->as_string()};
    }
  return out;
}

// The text of an OpenAI stream's content deltas.
inline std::string openai_text(const std::vector<event>& evs) {
  return openai_deltas(evs, "content");
}

// The `type` deltas ("text_delta": `text`, "thinking_delta": `thinking`) of an Anthropic
// stream joined.
inline std::string anthropic_deltas(const std::vector<event>& evs, const char* type,
                                    const char* key) {
  std::string out;
  for (const auto& e : evs)
    if (e.name == "content_block_delta" && e.data.at("delta").at("type").as_string() == type)
      out += std::string{e.data.at("delta").at(key).as_string()};
  return out;
}

// The text of an Anthropic stream's text deltas.
inline std::string anthropic_text(const std::vector<event>& evs) {
  return anthropic_deltas(evs, "text_delta", "text");
}

} // namespace et::e2e::gw
