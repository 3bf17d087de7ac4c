#define CAF_SUITE apps.cli
#include "caf/test/unit_test.hpp"

#include <fstream>

#include "app_test.hpp"
#include "et/actors/detail/openssl_errors.hpp"

using namespace et::test;

namespace {

// A config file in a fresh temp folder, removed at scope exit.
struct temp_config : scratch_dir {
  std::filesystem::path file = dir / "electrictown.yaml";
  explicit temp_config(const std::string& yaml) : scratch_dir("cli-test") {
    std::ofstream{file} << yaml;
  }
};

} // namespace

CAF_TEST(version prints the describe string the commit and the build type) {
  auto r = run_in_process({"version"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.out.rfind("et ", 0) == 0);
  CAF_CHECK(r.out.find("(commit ") != std::string::npos);
  CAF_CHECK(r.out.find(" build, ") != std::string::npos);
  CAF_CHECK(r.err.empty());
}

// The et binary, not this test process: its link order decides whose malloc runs.
CAF_TEST(the et binary names the allocator it really runs on) {
  auto r = run_et_binary({"version"});
  CAF_CHECK_EQUAL(r.code, 0);
  bool mimalloc = has(r.out, " build, mimalloc 2.");
  CAF_CHECK_EQUAL(mimalloc, ET_MIMALLOC_EXPECTED == 1);
  if (ET_MIMALLOC_EXPECTED == 0)
    CAF_CHECK(has(r.out, " build, system malloc)"));
}

CAF_TEST(no arguments print the usage and exit 2) {
  auto r = run_in_process({});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(r.out.find("Subcommands:") != std::string::npos);
}

CAF_TEST(help lists every command) {
  auto r = run_in_process({"--help"});
  CAF_CHECK_EQUAL(r.code, 0);
  for (auto cmd : {"run", "serve", "session", "models", "nodes", "cost", "config", "version"})
    CAF_CHECK(r.out.find(std::string{"  "} + cmd) != std::string::npos);
}

CAF_TEST(a command help prints that command flags) {
  auto r = run_in_process({"config", "check", "--help"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.out.find("--config") != std::string::npos);
}

CAF_TEST(an unknown command suggests the nearest one in one line plus usage) {
  auto r = run_in_process({"rn"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(r.err.find("et: unknown command \"rn\"; did you mean \"run\"?\n") == 0);
  CAF_CHECK_EQUAL(count(r.err, "\n"), 2u);
  CAF_CHECK(r.err.find("usage: et <command>") != std::string::npos);
}

CAF_TEST(an unknown flag is one line naming the flag plus usage) {
  auto r = run_in_process({"config", "check", "--bogus"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(r.err.find("et: unknown flag --bogus\n") == 0);
  CAF_CHECK_EQUAL(count(r.err, "\n"), 2u);
}

CAF_TEST(a mistyped flag gets the nearest flag of its command and stray words are named) {
  auto r = run_in_process({"run", "--verfy", "x", "t"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(r.err.find("et: unknown flag --verfy (did you mean --verify?); unexpected argument t\n")
            == 0);
  auto nested = run_in_process({"runs", "show", "abc", "--jsn"});
  CAF_CHECK(nested.err.find("et: unknown flag --jsn (did you mean --json?)") == 0);
  auto config = run_in_process({"models", "--confg=x"});
  CAF_CHECK(config.err.find("et: unknown flag --confg (did you mean --config?)") == 0);
  // A flag of another command is no guess, nor is one of et's own short flags.
  auto other = run_in_process({"runs", "show", "abc", "--limt"});
  CAF_CHECK(other.err.find("et: unknown flag --limt\n") == 0);
  auto letter = run_in_process({"run", "-v", "x"});
  CAF_CHECK(letter.err.find("et: unknown flag -v\n") == 0);
  // A whole number written otherwise is that number, not a failed conversion (nor octal).
  auto decimal = run_in_process({"run", "--max-subtasks", "5.0"});
  CAF_CHECK(decimal.err.find("et run: a task is required") == 0);
  // Stray words keep the order they were typed in.
  auto words = run_in_process({"runs", "show", "abc", "one", "two"});
  CAF_CHECK(words.err.find("et: unexpected arguments one two\n") == 0);
}

CAF_TEST(a missing subcommand or argument is said for the command it belongs to) {
  auto keys = run_in_process({"keys"});
  CAF_CHECK_EQUAL(keys.code, 2);
  CAF_CHECK_EQUAL(keys.err, "et keys: a subcommand is required: create, list, revoke "
                            "(et keys --help for details)\n");
  auto session = run_in_process({"session", "--config", "x.yaml"});
  CAF_CHECK(session.err.find("et session: a subcommand is required: ") == 0);
  auto typo = run_in_process({"keys", "lst"});
  CAF_CHECK_EQUAL(typo.code, 2);
  CAF_CHECK_EQUAL(typo.err, "et keys: unknown subcommand \"lst\"; did you mean \"list\"? "
                            "(create, list, revoke; et keys --help for details)\n");
  auto revoke = run_in_process({"keys", "revoke"});
  CAF_CHECK_EQUAL(revoke.code, 2);
  CAF_CHECK_EQUAL(revoke.err,
                  "et keys revoke: NAME is required (et keys revoke --help for details)\n");
}

// CLI11's own range checks print the largest double (309 digits) as their bound.
CAF_TEST(a number flag out of range says what it expects in one line plus usage) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"serve", "--cpus", "0"}, "--cpus: expected a whole number of cores, 1 to 1024"},
      {{"serve", "--grace", "-1"}, "--grace: expected whole seconds, 0 to 86400 (a day)"},
      {{"serve", "--max-connections", "0"},
       "--max-connections: expected a whole number of connections, 1 to 1000000"},
      {{"serve", "--max-bodies-mib", "16"},
       "--max-bodies-mib: expected a whole number of MiB, 32 (the largest body) to 1048576"},
      {{"run", "--budget", "0", "x"}, "--budget: expected dollars above 0"},
      {{"run", "--timeout", "1.5", "x"},
       "--timeout: expected whole seconds, 0 (none) to 31536000 (a year)"},
      {{"run", "--verify-timeout", "nan", "x"},
       "--verify-timeout: expected whole seconds, 1 to 604800 (a week)"},
      {{"keys", "create", "k", "--budget-day", "-2"}, "--budget-day: expected dollars (0 or more)"},
      {{"run", "--max-subtasks", "abc", "x"},
       "--max-subtasks: expected a whole number of subtasks, 1 to 100"},
      {{"cost", "--days", "0"}, "--days: expected a whole number of days, 1 to 3650"},
      {{"keys", "create", "k", "--tpm", "1e99"},
       "--tpm: expected a whole number of tokens, 1 or more"},
  };
  for (const auto& [args, said] : cases) {
    auto r = run_in_process(args);
    CAF_CHECK_EQUAL(r.code, 2);
    CAF_CHECK_EQUAL(r.err.substr(0, r.err.find('\n')),
                    "et: " + said + ", got \"" + args[args.size() - 1 - (args[0] == "run")] + "\"");
    CAF_CHECK_EQUAL(count(r.err, "\n"), 2u);
  }
}

CAF_TEST(config check accepts the flag before or after the command) {
  auto after = run_in_process({"config", "check", "--config", demo_config});
  auto before = run_in_process({"--config", demo_config, "config", "check"});
  CAF_CHECK_EQUAL(after.code, 0);
  CAF_CHECK_EQUAL(before.code, 0);
  CAF_CHECK_EQUAL(after.out, before.out);
  CAF_CHECK(after.out.find("is valid") != std::string::npos);
  CAF_CHECK(after.out.find("polecat") != std::string::npos);
}

CAF_TEST(config check warns of a key sent over plain http off loopback) {
  temp_config cfg{"providers:\n"
                  "  lan: {type: openai, base_url: \"http://10.0.0.5:8000/v1\", api_key: sk-x1}\n"
                  "models:\n"
                  "  a: {provider: lan, model: a}\n"
                  "roles:\n"
                  "  polecat: {model: a}\n"};
  auto r = run_in_process({"config", "check", "--config", cfg.file.string()});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.err.find("et: warning: " + cfg.file.string()
                       + ": providers.lan: its key goes over plain http to 10.0.0.5")
            != std::string::npos);
  CAF_CHECK(r.err.find("sk-x1") == std::string::npos);
}

CAF_TEST(config check on a missing file names it and exits 2) {
  auto r = run_in_process({"config", "check", "--config", "/nonexistent/et.yaml"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(r.err.find("/nonexistent/et.yaml") != std::string::npos);
  CAF_CHECK_EQUAL(count(r.err, "\n"), 1u);
}

CAF_TEST(config check reports every problem with its location and exits 2) {
  temp_config cfg{"providers:\n"
                  "  sim: {type: mock}\n"
                  "models:\n"
                  "  a: {provider: sim, model: a}\n"
                  "roles:\n"
                  "  polecat:\n"
                  "    model: a\n"
                  "    fallbacks: [gpt4]\n"
                  "    temprature: 0.5\n"};
  auto r = run_in_process({"config", "check", "--config", cfg.file.string()});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(r.err.find(cfg.file.string()
                       + ":8:17: roles.polecat.fallbacks[0]: unknown model "
                         "alias \"gpt4\"")
            != std::string::npos);
  CAF_CHECK(r.err.find(":9:5: roles.polecat.temprature: unknown key \"temprature\"; did you "
                       "mean \"temperature\"?")
            != std::string::npos);
  CAF_CHECK_EQUAL(count(r.err, "\n"), 2u);
}

CAF_TEST(config check never prints an inline API key) {
  temp_config cfg{"providers:\n"
                  "  oa:\n"
                  "    type: openai\n"
                  "    api_key: sk-inline-SECRET-0123456789abcdef\n"
                  "models:\n"
                  "  g: {provider: oa, model: gpt-4o}\n"};
  auto r = run_in_process({"config", "check", "--config", cfg.file.string()});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.out.find("SECRET") == std::string::npos);
  CAF_CHECK(r.out.find("cdef") == std::string::npos);
  CAF_CHECK(r.out.find("key set (inline)") != std::string::npos);
}

CAF_TEST(serve refuses to listen without tls and plain tcp beyond loopback) {
  temp_config cfg{"providers: {p: {type: mock}}\nmodels: {m: {provider: p, model: m}}\n"};
  for (auto listen : {"0.0.0.0:7700", "127.0.0.1:7700"}) {
    auto r = run_in_process({"serve", "--listen", listen, "--config", cfg.file.string()});
    CAF_CHECK_EQUAL(r.code, 2);
    CAF_CHECK_EQUAL(r.err, "et serve: server.tls (certificate, key, ca_file) is required on every "
                           "address, loopback included: `et serve --init-tls DIR` makes them (or, "
                           "on loopback only, server.insecure_plaintext: true)\n");
  }
  temp_config plain{"providers: {p: {type: mock}}\nmodels: {m: {provider: p, model: m}}\n"
                    "server: {insecure_plaintext: true}\n"};
  for (auto host : {"0.0.0.0", "127.evil.com", "localhost"}) {
    auto r = run_in_process(
        {"serve", "--listen", std::string{host} + ":7700", "--config", plain.file.string()});
    CAF_CHECK_EQUAL(r.code, 2);
    CAF_CHECK_EQUAL(r.err, "et serve: server.insecure_plaintext allows only a loopback address "
                           "(127.0.0.0/8 or ::1), not "
                               + std::string{host} + "\n");
  }
  auto bad = run_in_process({"serve", "--listen", "nowhere", "--config", cfg.file.string()});
  CAF_CHECK_EQUAL(bad.code, 2);
  CAF_CHECK_EQUAL(bad.err, "et serve: --listen: expected HOST:PORT, got \"nowhere\"\n");
}

CAF_TEST(nodes without any configured node says so) {
  temp_config cfg{"providers: {p: {type: mock}}\nmodels: {m: {provider: p, model: m}}\n"};
  auto r = run_in_process({"nodes", "--config", cfg.file.string()});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "no nodes configured (see nodes: in configs/electrictown.yaml)\n");
  auto json = run_in_process({"nodes", "--json", "--config", cfg.file.string()});
  CAF_CHECK_EQUAL(json.code, 0);
  CAF_CHECK_EQUAL(json.out, "{\"local\":{\"ollama\":[]},\"nodes\":[]}\n");
}

CAF_TEST(the OpenSSL error queue workaround is linked into programs that network) {
  // Without it one TLS connection's failure drops the others (see openssl_errors.hpp).
  CAF_CHECK(et::actors::isolate_openssl_errors());
}
