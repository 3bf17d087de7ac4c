#pragma once
/// An incremental newline-delimited JSON splitter (Ollama's streaming format),
/// fed byte chunks of any size; lines may be of any length.

#include <cstddef>
#include <string>
#include <string_view>

namespace et::wire {

/// Splits a byte stream into non-blank lines ("\n" or "\r\n" terminated).
/// Pull style: feed() bytes, then call next() until it returns false.
class ndjson_decoder {
public:
  /// Appends received bytes.
  void feed(std::string_view bytes);
  /// The next complete non-blank line without its terminator; false when more
  /// bytes are needed. The view stays valid until the next call on the decoder.
  bool next(std::string_view& line);
  /// At the end of the stream: the last line when it had no terminator.
  bool flush(std::string_view& line);
  /// True when bytes of an unterminated line are buffered.
  bool pending() const;

private:
  std::string buffer_; // unconsumed input
  size_t pos_ = 0;     // start of the first unconsumed line
  size_t scan_ = 0;    // where the search for "\n" resumes
};

} // namespace et::wire
