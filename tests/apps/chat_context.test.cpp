#define CAF_SUITE apps.chat_context
#include "caf/test/unit_test.hpp"

#include <fstream>

#include "app_test.hpp"

// `et chat --context`: each question reaches the role with the index's chunks for it. The
// role's mock echoes its prompt, so the output shows exactly what the model was sent.

using namespace et::test;
namespace fs = std::filesystem;

namespace {

struct fixture : scratch_dir {
  fs::path project = dir / "project";
  fs::path config = dir / "echo.yaml";

  fixture() : scratch_dir("chat-context") {
    fs::create_directories(project / "src");
    std::ofstream{project / "src" / "zoo.cpp"} << "// Feeding the quokka: QUOKKAMARK\n"
                                                  "void feed_quokka();\n";
    std::ofstream{project / "src" / "other.cpp"} << "// Unrelated: parsing numbers.\n";
    std::ofstream{config} << "providers:\n  sim: {type: mock, mock: {mode: echo}}\n"
                          << "models: {m: {provider: sim, model: m}}\n"
                          << "roles: {solo: {model: m}}\nretry: {attempts: 1}\n";
  }

  outcome et(std::vector<std::string> args, const std::string& input = "") {
    return run_et_binary(args, {{"XDG_STATE_HOME", (dir / "state").string()}}, input);
  }

  outcome chat(std::vector<std::string> args, const std::string& input) {
    args.insert(args.begin(),
                {"chat", "--dir", dir.string(), "--role", "solo", "--config", config.string()});
    return et(args, input);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(chat_context_tests, fixture)

CAF_TEST(each question carries the chunks for it under their sources) {
  CAF_REQUIRE_EQUAL(et({"index", project.string(), "--config", config.string()}).code, 0);
  auto r = chat({"--context", project.string()}, "how do I feed the quokka\nparsing numbers\n");
  CAF_CHECK_EQUAL(r.code, 0);
  ET_CHECK_SAYING(has(r.out, " src/zoo.cpp:1-2>>>\n// Feeding the quokka: QUOKKAMARK\n"), r.out);
  ET_CHECK_SAYING(has(r.out, "Question:\nhow do I feed the quokka\n"), r.out);
  ET_CHECK_SAYING(has(r.out, " src/other.cpp:1-1>>>\n// Unrelated: parsing numbers.\n"), r.out);
  ET_CHECK_SAYING(has(r.err, "context: ") && has(r.err, "src/zoo.cpp:1-2"), r.err);
}

CAF_TEST(context off sends the question alone) {
  CAF_REQUIRE_EQUAL(et({"index", project.string(), "--config", config.string()}).code, 0);
  auto r = chat({"--context", "off"}, "how do I feed the quokka\n");
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "how do I feed the quokka\n");
}

CAF_TEST(a context folder without an index is refused before the chat starts) {
  auto r = chat({"--context", project.string()}, "hello\n");
  CAF_CHECK_EQUAL(r.code, 1);
  ET_CHECK_SAYING(has(r.err, "et chat: --context: no index for"), r.err);
  CAF_CHECK_EQUAL(r.out, "");
}

CAF_TEST_FIXTURE_SCOPE_END()
