#define CAF_SUITE libet.config.places
#include "caf/test/unit_test.hpp"

#include "et/config/places.hpp"

using namespace et;

namespace {

config::settings two_upstreams() {
  config::settings s;
  s.providers["vllm"].base_url = "http://10.0.0.5:8000/v1";
  s.providers["gpu"].base_url = "http://gpu-box.lan:11434";
  s.providers["other"].base_url = "http://10.0.0.5:9000/v1"; // shares vllm's host
  s.providers["mock"];                                       // no address at all
  s.nodes["east"].host = "east.lan";
  s.nodes["east"].port = 7300;
  return s;
}

} // namespace

CAF_TEST(an upstream address becomes the name of its provider or node) {
  auto places = config::upstream_places(two_upstreams());
  auto hide = [&](std::string_view m) { return config::hide_places(m, places); };
  CAF_CHECK_EQUAL(hide("cannot connect to 10.0.0.5:8000: Connection refused"),
                  "cannot connect to <provider vllm>: Connection refused");
  CAF_CHECK_EQUAL(hide("cannot resolve host gpu-box.lan: Host not found"),
                  "cannot resolve host <host of provider gpu>: Host not found");
  CAF_CHECK_EQUAL(hide("TLS handshake with east.lan:7300 failed"),
                  "TLS handshake with <node east> failed");
  // A host two providers share names neither; its ports still tell them apart.
  CAF_CHECK_EQUAL(hide("10.0.0.5 and 10.0.0.5:9000"), "<an upstream> and <provider other>");
}

CAF_TEST(only whole names are hidden and in one pass) {
  auto places = config::upstream_places(two_upstreams());
  auto hide = [&](std::string_view m) { return config::hide_places(m, places); };
  CAF_CHECK_EQUAL(hide("10.0.0.50 and 110.0.0.5 and 10.0.0.5:80001"),
                  "10.0.0.50 and 110.0.0.5 and <an upstream>:80001");
  CAF_CHECK_EQUAL(hide("my-gpu-box.lan gpu-box.lan.example"), "my-gpu-box.lan gpu-box.lan.example");
  CAF_CHECK_EQUAL(hide(""), "");
  // A host that is a plain word or a name et uses stays: only with its port is it hidden.
  config::settings s;
  s.providers["vllm"].base_url = "http://vllm:8000/v1";
  s.providers["lan"].base_url = "http://gpu.lan:8000/v1";
  s.models["gpu.lan"].model = "m";
  auto own = config::upstream_places(s);
  CAF_CHECK_EQUAL(config::hide_places("vllm:8000 and fast (vllm/llama), gpu.lan:8000 gpu.lan", own),
                  "<provider vllm> and fast (vllm/llama), <provider lan> gpu.lan");
}
