#define CAF_SUITE libet.context.files
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <fstream>
#include <sys/stat.h>

#include "context_test.hpp"
#include "et/context/files.hpp"
#include "et/util/encode.hpp"

using namespace et::context;

namespace {

bool listed(const std::vector<std::string>& files, const std::string& f) {
  return std::find(files.begin(), files.end(), f) != files.end();
}

struct fixture : et::test::project_dir {
  fixture() {
    write("src/main.cpp", "int main() {}\n");
    write("README.md", "# hello\n");
    write(".hidden/secret.txt", "x\n");
    write("build/gen.cpp", "x\n");
    write("build-debug/gen.cpp", "x\n");
    write("web/node_modules/lib/index.js", "x\n");
    write("ignored.log", "x\n");
    write(".gitignore", "*.log\n");
    write(".env", "API_KEY=sk-secret\n");
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(files_tests, fixture)

CAF_TEST(generated and dot folders are skipped at any depth) {
  CAF_CHECK(never_indexed("build/a.cpp"));
  CAF_CHECK(never_indexed("x/build-release/a.cpp"));
  CAF_CHECK(never_indexed("a/node_modules/b/c.js"));
  CAF_CHECK(never_indexed(".git/config"));
  CAF_CHECK(never_indexed("builder/a.cpp")); // a folder whose name starts with "build"
  CAF_CHECK(!never_indexed("src/builder.cpp"));
  CAF_CHECK(!never_indexed("build.cpp")); // a file, not a folder
  CAF_CHECK(!never_indexed("src/a.cpp"));
  CAF_CHECK(never_indexed(".env"));
  CAF_CHECK(never_indexed("config/.env.local"));
  CAF_CHECK(!never_indexed("src/a.env"));
}

CAF_TEST(files that usually hold a secret are never indexed whatever their folder) {
  for (auto path :
       {"deploy/id_ed25519", "ssh/ID_RSA", "certs/server.key", "tls/ca.PEM",
        "infra/terraform.tfstate", "infra/x.tfstate.backup", "keys/store.p12",
        "gcp/credentials.json", "electrictown.yaml", "vault.kdbx", "infra/terraform.tfvars",
        "infra/prod.tfvars.json", "keys/server.ppk", "ops/kubeconfig"})
    if (!never_indexed(path))
      CAF_FAIL("indexed: " << path);
  for (auto path : {"deploy/id_ed25519.pub", "src/keyboard.cpp", "docs/key.md", "src/monkey.cpp",
                    "pem", "notes/credentials.md"})
    if (never_indexed(path))
      CAF_FAIL("not indexed: " << path);
}

CAF_TEST(a private key under any name is not read) {
  write("notes.txt",
        "setup:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n");
  write("cert.txt", "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n"); // public: read
  // Code that looks for keys mentions the line without holding one.
  write("pem.cpp", "auto at = text.find(\"-----BEGIN RSA PRIVATE KEY-----\");\n");
  write("doc.md", "-----BEGIN RSA PRIVATE KEY-----\n(your key here)\n");
  CAF_CHECK(read_candidate(project, "notes.txt").reason == skip_reason::secret);
  CAF_CHECK(read_candidate(project, "cert.txt").reason == skip_reason::none);
  CAF_CHECK(read_candidate(project, "pem.cpp").reason == skip_reason::none);
  CAF_CHECK(read_candidate(project, "doc.md").reason == skip_reason::none);
}

CAF_TEST(a private key is found indented in a JSON string encrypted or in base64) {
  auto secret = [](std::string_view text) { return holds_private_key(text); };
  // A GCP service account: the PEM is inside a JSON string, its breaks written as \n.
  CAF_CHECK(secret(R"({"type": "service_account", "private_key": )"
                   R"("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"})"));
  CAF_CHECK(secret("tls:\n  key: |\n    -----BEGIN EC PRIVATE KEY-----\n"
                   "    MHcCAQEEIBkg4LVWM9nuwNSk3yBR\n"));
  CAF_CHECK(secret("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                   "DEK-Info: AES-128-CBC,3F1B2C\n\nMIIEpAIBAAKCAQEAx0Y1\n"));
  CAF_CHECK(secret("-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n"
                   "lQOYBF0AAAABCADAx9Qz1Yt0\n"));
  // kubeconfig: client-key-data is a whole PEM file in base64.
  CAF_CHECK(secret("client-key-data: "
                   + et::base64("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAx0Y1abcd\n")));
  CAF_CHECK(secret("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n"
                   "AAAAIFIt2Y0aTb+4lNMvNzyXEsX9q8P1\n"));
  // Put together from string literals, JSON inside JSON, in comments.
  CAF_CHECK(secret("String pem = \"-----BEGIN RSA PRIVATE KEY-----\\n\"\n"
                   "    + \"MIIEpAIBAAKCAQEAx0Y1abcd\\n\";"));
  CAF_CHECK(secret(
      R"({"values": "{\"key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0\"}"})"));
  CAF_CHECK(secret("# -----BEGIN OPENSSH PRIVATE KEY-----\n# b3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n"));
  CAF_CHECK(
      secret("const key = `-----BEGIN PRIVATE KEY-----\\n` +\n  `MIICdgIBADANBgkqhkiG9w0\\n`"));
  CAF_CHECK(secret("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"rsa-key-20200101\"\n"
                   "P2/56wAAAi4AAAA3aWYtbW9kbn\n"));
  // A PEM in base64 whatever its alignment, wrapped at 76 columns or not.
  for (std::string before : {"", "x", "xy"}) {
    auto encoded =
        et::base64(before + "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAx0Y1abcd\n");
    CAF_CHECK(secret("data: " + encoded));
    CAF_CHECK(secret("data: " + encoded.substr(0, 20) + "\n  " + encoded.substr(20)));
  }
  // Mentions, and a certificate in base64, are not keys.
  CAF_CHECK(!secret(R"(const char* kBegin = "-----BEGIN PRIVATE KEY-----\n";)"));
  CAF_CHECK(!secret("    -----BEGIN RSA PRIVATE KEY-----\n    (paste your key here)\n"));
  CAF_CHECK(!secret("Proc-Type: 4,ENCRYPTED is how an old PEM says it is encrypted\n"));
  CAF_CHECK(
      !secret("ca-data: " + et::base64("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n")));
  CAF_CHECK(!secret("PuTTY-User-Key-File-3 is the first line of a .ppk file\n"));
  // Code that reads such files names their lines in strings, and puts keys together from
  // names; neither is a key.
  CAF_CHECK(!secret("if (line.starts_with(\"PuTTY-User-Key-File-\")) {}\n"
                    "auto n = field(\"Private-Lines: \");\n"));
  CAF_CHECK(!secret(R"(pem = "-----BEGIN OPENSSH PRIVATE KEY-----" + keyBodyWithoutHeaders;)"));
  CAF_CHECK(
      !secret("const pem = \"-----BEGIN PRIVATE KEY-----\\n\" + privateKeyBase64 + \"\\n\";"));
  CAF_CHECK(!secret("const (\n\trsaHeader = \"-----BEGIN RSA PRIVATE KEY-----\"\n"
                    "\tpkcs8PrivateKeyHeader = \"-----BEGIN PRIVATE KEY-----\"\n)\n"));
}

CAF_TEST(outside git the walk skips dot and generated folders) {
  auto files = list_files(project);
  CAF_REQUIRE(files);
  CAF_CHECK(listed(*files, "src/main.cpp"));
  CAF_CHECK(listed(*files, "README.md"));
  CAF_CHECK(listed(*files, "ignored.log")); // no git, no .gitignore rules
  CAF_CHECK(!listed(*files, ".hidden/secret.txt"));
  CAF_CHECK(!listed(*files, ".env"));
  CAF_CHECK(!listed(*files, "build/gen.cpp"));
  CAF_CHECK(!listed(*files, "build-debug/gen.cpp"));
  CAF_CHECK(!listed(*files, "web/node_modules/lib/index.js"));
  CAF_CHECK(std::is_sorted(files->begin(), files->end()));
}

CAF_TEST(inside git the listing respects gitignore and includes untracked files) {
  git({"init", "-q"});
  git({"add", "src/main.cpp"});
  auto files = list_files(project);
  CAF_REQUIRE(files);
  CAF_CHECK(listed(*files, "src/main.cpp")); // tracked
  CAF_CHECK(listed(*files, "README.md"));    // untracked, not ignored
  CAF_CHECK(!listed(*files, "ignored.log"));
  CAF_CHECK(!listed(*files, ".env")); // not ignored, still never read
  CAF_CHECK(!listed(*files, "build/gen.cpp"));
  CAF_CHECK(!listed(*files, ".hidden/secret.txt"));
  CAF_CHECK(!listed(*files, "web/node_modules/lib/index.js"));
}

CAF_TEST(a project git config cannot make the listing run a command) {
  git({"init", "-q"});
  auto hook = project / "fsmonitor.sh";
  auto marker = project / "ran";
  write("fsmonitor.sh", "#!/bin/sh\ntouch '" + marker.string() + "'\necho 0\n");
  ::chmod(hook.c_str(), 0755);
  git({"config", "core.fsmonitor", hook.string()});
  CAF_REQUIRE(list_files(project));
  CAF_REQUIRE(project_root(project / "src"));
  CAF_CHECK(!std::filesystem::exists(marker));
}

CAF_TEST(a git listing past its bound is an error and not a walk) {
  git({"init", "-q"});
  auto files = list_files(project, 16); // "README.md\0src/main.cpp\0..." is longer
  CAF_REQUIRE(!files);
  CAF_CHECK(files.error().message.find("git ls-files") != std::string::npos);
  CAF_CHECK(list_files(project)); // the default bound holds it
}

CAF_TEST(a walk past its bound is an error too) {
  // Outside git: the walk meets "README.md", "src", "src/main.cpp"... past 16 bytes.
  auto files = list_files(project, 16);
  CAF_REQUIRE(!files);
  CAF_CHECK(files.error().message.find("a walk of") != std::string::npos);
  CAF_CHECK(files.error().message.find("16 bytes of file names") != std::string::npos);
  CAF_CHECK(list_files(project));
}

CAF_TEST(the project root is the git top level or the folder itself) {
  auto plain = project_root(project / "src");
  CAF_REQUIRE(plain);
  CAF_CHECK_EQUAL(plain->string(), (project / "src").string());
  git({"init", "-q"});
  auto top = project_root(project / "src");
  CAF_REQUIRE(top);
  CAF_CHECK_EQUAL(top->string(), project.string());
  // The repository's own config points its work tree out of the project: not followed.
  auto elsewhere = project.parent_path() / (project.filename().string() + "-elsewhere");
  std::filesystem::create_directories(elsewhere);
  git({"config", "core.worktree", elsewhere.string()});
  auto kept = project_root(project);
  std::filesystem::remove_all(elsewhere);
  CAF_REQUIRE(kept);
  CAF_CHECK_EQUAL(kept->string(), project.string());
  // Nor up to a folder that holds it (`../..` would make the project your home).
  git({"config", "core.worktree", project.parent_path().string()});
  auto up = project_root(project);
  CAF_REQUIRE(up);
  CAF_CHECK_EQUAL(up->string(), project.string());
  // Even when that folder is a repository of its own (a home kept as a dotfiles repository).
  std::filesystem::create_directories(project.parent_path() / ".git");
  auto home = project_root(project);
  std::filesystem::remove_all(project.parent_path() / ".git");
  CAF_REQUIRE(home);
  CAF_CHECK_EQUAL(home->string(), project.string());
  auto missing = project_root(project / "nope");
  CAF_REQUIRE(!missing);
  CAF_CHECK(missing.error().message.find("nope") != std::string::npos);
}

CAF_TEST(binaries oversized files and symlinks are not read) {
  write("text.txt", "hello\n");
  write("data.bin", std::string("abc\0def", 7));
  write("big.txt", std::string(2000, 'a'));
  std::filesystem::create_symlink("/etc/passwd", project / "link.txt");
  CAF_CHECK(read_candidate(project, "text.txt").reason == skip_reason::none);
  CAF_CHECK_EQUAL(read_candidate(project, "text.txt").bytes, "hello\n");
  CAF_CHECK(read_candidate(project, "data.bin").reason == skip_reason::binary);
  CAF_CHECK(read_candidate(project, "big.txt", 1000).reason == skip_reason::too_big);
  CAF_CHECK(read_candidate(project, "big.txt", 4000).reason == skip_reason::none);
  CAF_CHECK(read_candidate(project, "link.txt").reason == skip_reason::not_regular);
  CAF_CHECK(read_candidate(project, "gone.txt").reason == skip_reason::missing);
  auto files = list_files(project);
  CAF_REQUIRE(files);
  CAF_CHECK(!listed(*files, "link.txt"));
}

CAF_TEST(a folder replaced by a symlink or a file replaced by a fifo is not read) {
  // Listed by git as linked/x.txt, then linked became a symlink out of the project.
  auto outside = project.parent_path() / (project.filename().string() + "-outside");
  std::filesystem::create_directories(outside);
  std::ofstream{outside / "x.txt"} << "secret\n";
  std::filesystem::create_directory_symlink(outside, project / "linked");
  CAF_CHECK(read_candidate(project, "linked/x.txt").reason == skip_reason::not_regular);
  CAF_CHECK(read_candidate(project, "linked/x.txt").bytes.empty());
  // A FIFO nobody writes would block a plain open forever.
  CAF_REQUIRE_EQUAL(::mkfifo((project / "pipe.txt").c_str(), 0600), 0);
  CAF_CHECK(read_candidate(project, "pipe.txt").reason == skip_reason::not_regular);
  CAF_CHECK(read_candidate(project, "../x.txt").reason == skip_reason::missing);
  std::filesystem::remove_all(outside);
}

CAF_TEST(a NUL byte after the probe window does not make a file binary) {
  write("late.txt", std::string(binary_probe_bytes, 'a') + std::string(1, '\0'));
  CAF_CHECK(read_candidate(project, "late.txt").reason == skip_reason::none);
}

CAF_TEST_FIXTURE_SCOPE_END()
