// holds_private_key (files.hpp): a private key in a project file, in the forms keys are kept
// in (PEM, OpenSSH, PGP, PuTTY; in a JSON string, a YAML block, a comment, string literals put
// together, a whole file in base64), and not a mention of one, as in code that parses keys.
// Every scan is linear: a file of a million BEGIN markers costs a bounded look at each.

#include <algorithm>
#include <array>
#include <string>

#include "et/context/files.hpp"
#include "et/util/encode.hpp"

namespace et::context {

namespace {

// How many places that look like a PEM file in base64 one file's look decodes at most.
constexpr int max_base64_looks = 1024;

constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

// What may stand between a BEGIN line and its key, and between a key's lines: blank space,
// line breaks written as escapes (once or twice: JSON inside JSON), quotes and `+` of string
// literals put together, comment marks.
size_t skip_between(std::string_view text, size_t at) {
  constexpr std::string_view skipped = " \t\r\n\"'`+,#/*";
  while (at < text.size()) {
    if (skipped.find(text[at]) != std::string_view::npos)
      ++at;
    else if (text[at] == '\\') { // "\n", "\\n": a line break escaped once or more
      auto end = text.find_first_not_of('\\', at);
      if (end == std::string_view::npos || (text[end] != 'n' && text[end] != 'r'))
        break;
      at = end + 1;
    } else {
      break;
    }
  }
  return at;
}

// Whether `text` starts with key material: 16 base64 characters or more, a digit, `+` or `/`
// among them (an identifier a string is joined with is mostly letters), ending where a key's
// line ends: a line break (raw or escaped), a closing quote or backtick, or past the look
// (`pkcs8Header = `, `privateKeyBase64 + "` end at a space: names, not keys).
bool base64_run(std::string_view text) {
  auto size = std::min(text.find_first_not_of(base64_alphabet), text.size());
  auto run = text.substr(0, size);
  if (run.size() < 16 || run.find_first_of("0123456789+/") == std::string_view::npos)
    return false;
  return size == text.size()
         || std::string_view{"\r\n\"'`\\"}.find(text[size]) != std::string_view::npos;
}

// Whether key material follows a BEGIN line that ends at `at` (base64_run), perhaps after
// header lines ("Proc-Type: 4,ENCRYPTED" in an encrypted PEM, "Version: ..." in
// a PGP block). Each look is bounded to 256 bytes, so a file of markers stays linear.
bool key_material_follows(std::string_view text, size_t at) {
  for (int header_lines = 0; header_lines <= 8 && at < text.size(); ++header_lines) {
    at = skip_between(text, at);
    auto rest = text.substr(at, 256);
    if (base64_run(rest))
      return true;
    auto name_end = rest.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-");
    if (name_end == 0 || name_end == std::string_view::npos || rest[name_end] != ':')
      return false;
    auto line_end = std::min(rest.find('\n'), rest.find('\\', name_end));
    if (line_end == std::string_view::npos)
      return false;
    at += line_end;
  }
  return false;
}

// "-----BEGIN ... PRIVATE KEY-----" (PEM, OpenSSH, PGP's "PRIVATE KEY BLOCK") or SSH2's
// "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----", with key material after it.
bool holds_pem_private_key(std::string_view text) {
  for (auto at = text.find("BEGIN "); at != std::string_view::npos;
       at = text.find("BEGIN ", at + 1)) {
    auto before = at >= 5 ? text.substr(at - 5, 5) : std::string_view{};
    if (before != "-----" && before != "---- ")
      continue;
    auto label = text.substr(at + 6, 64);
    auto close = label.find("----");
    if (close == std::string_view::npos
        || label.substr(0, close).find('\n') != std::string_view::npos
        || label.substr(0, close).find("PRIVATE KEY") == std::string_view::npos)
      continue;
    auto end = text.find_first_not_of('-', at + 6 + close);
    if (end != std::string_view::npos && key_material_follows(text, end))
      return true;
  }
  return false;
}

// A PEM file put in base64 whole (kubeconfig's client-key-data, a secret manifest), at any
// of the three alignments "-----BEGIN" can have in it, wrapped and indented or not: the part of
// the base64 that does not depend on the bytes before it, and how far into its group it starts.
bool holds_base64_private_key(std::string_view text) {
  struct alignment {
    std::string_view core;
    size_t into_group;
  };
  constexpr std::array<alignment, 3> alignments{
      {{"LS0tLS1CRUdJTi", 0}, {"0tLS0tQkVHSU4", 2}, {"tLS0tLUJFR0lO", 3}}};
  // Each look decodes up to 768 bytes: a file of nothing but these marks (one every 14 bytes)
  // would cost a decode per mark, so the looks are bounded (a file holds a few keys, if any).
  int looks = 0;
  for (const auto& [core, into_group] : alignments)
    for (auto at = text.find(core); at != std::string_view::npos && looks < max_base64_looks;
         at = text.find(core, at + 1), ++looks) {
      if (at < into_group)
        continue;
      std::string run;
      for (auto i = at - into_group; i < text.size() && run.size() < 1024; ++i)
        if (base64_alphabet.find(text[i]) != std::string_view::npos)
          run += text[i];
        else if (std::string_view{"\n\r \t"}.find(text[i]) == std::string_view::npos)
          break; // a line break and indentation may wrap it
      std::string decoded;
      base64_decode_into(std::string_view{run}.substr(0, run.size() / 4 * 4), decoded);
      if (holds_pem_private_key(decoded))
        return true;
    }
  return false;
}

// PuTTY's key file: its first line names the format, and "Private-Lines: N" is followed by the
// key in base64. A parser of such files names both in strings, never at a line's start.
bool holds_putty_key(std::string_view text) {
  if (!text.starts_with("PuTTY-User-Key-File-")
      && text.find("\nPuTTY-User-Key-File-") == std::string_view::npos)
    return false;
  for (auto at = text.find("\nPrivate-Lines: "); at != std::string_view::npos;
       at = text.find("\nPrivate-Lines: ", at + 1)) {
    auto count_end = text.find_first_not_of("0123456789", at + 16);
    if (count_end == at + 16 || count_end == std::string_view::npos)
      continue;
    if (text[count_end] != '\n' && text[count_end] != '\r')
      continue;
    auto next = text.substr(count_end, 2) == "\r\n" ? count_end + 2 : count_end + 1;
    if (base64_run(text.substr(next, 256)))
      return true;
  }
  return false;
}

} // namespace

bool holds_private_key(std::string_view text) {
  return holds_putty_key(text) || holds_pem_private_key(text) || holds_base64_private_key(text);
}

} // namespace et::context
