#pragma once
/// An incremental Server-Sent Events parser (the WHATWG event-stream format),
/// fed byte chunks of any size and split anywhere, even between "\r" and "\n".

#include <cstddef>
#include <string>
#include <string_view>

namespace et::wire {

/// One dispatched event. The views stay valid until the next call on the decoder.
struct sse_event {
  std::string_view name; ///< the `event:` field, "" when absent (the default "message")
  std::string_view data; ///< the `data:` lines joined with "\n"
  std::string_view id;   ///< the `id:` field, "" when absent
};

/// Splits a byte stream into events. Pull style: feed() bytes, then call next()
/// until it returns false. No allocation per byte or per event once the
/// buffers have grown to the size of the largest event.
class sse_decoder {
public:
  /// Appends received bytes.
  void feed(std::string_view bytes);
  /// The next complete event (terminated by a blank line); false when more
  /// bytes are needed. Events without a data field are skipped, as the
  /// standard says.
  bool next(sse_event& out);
  /// At the end of the stream: dispatches a last event whose blank line never
  /// came (its unterminated last line included); false when nothing is pending.
  bool flush(sse_event& out);
  /// True when bytes of an unfinished event are buffered.
  bool pending() const;

private:
  bool take_line(std::string_view& line);
  bool process(std::string_view line, sse_event& out);
  void compact();
  bool dispatch(sse_event& out);

  std::string buffer_;      // unconsumed input
  size_t pos_ = 0;          // start of the first unconsumed line in buffer_
  size_t scan_ = 0;         // where the search for a line end resumes
  bool skip_lf_ = false;    // the last line ended with "\r": a following "\n" belongs to it
  std::string data_;        // data lines of the event being built
  std::string name_;        // event name of the event being built
  std::string id_;          // last event id
  bool has_data_ = false;   // a data field was seen (it may be empty)
  bool has_fields_ = false; // any field line was seen since the last dispatch
};

} // namespace et::wire
