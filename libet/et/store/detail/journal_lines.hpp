#pragma once
/// Helpers the journal sources share, not part of the public interface: the file name, one
/// event as a JSON line, and atomic replacement of output files. Included by et/store .cpp
/// files only (journal.cpp, journal_events.cpp, journal_read.cpp).

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "et/util/result.hpp"

namespace et::store::detail {

/// The journal's file name inside a run folder.
inline constexpr const char* journal_file = "journal.jsonl";

/// A new event object: {"event": name, "at": now in ms since the epoch}.
boost::json::object event(const char* name);

/// `e` as one journal line: serialized, non-UTF-8 bytes replaced by U+FFFD, newline ended.
std::string line_of(const boost::json::object& e);

/// Numbers as a JSON array.
boost::json::array to_json(const std::vector<int>& v);

/// Strings as a JSON array.
boost::json::array to_json(const std::vector<std::string>& v);

/// Replaces `file` with `text` so readers see the old file or the new one, never a half one;
/// the folder is made private first. io_error naming the file on failure.
result<void> write_atomically(const std::filesystem::path& file, std::string_view text);

/// Gives each line of the journal `file` (without its newline) to `take` until it returns
/// false. Read only when it is a regular file opened without following a link (a FIFO would
/// hang every `et runs`, /dev/zero never end), and at most max_journal_bytes of it however it
/// grows meanwhile: not_found when missing, invalid_input for a link, a non-regular file or
/// one too large, io_error naming errno otherwise.
result<void> for_each_line(const std::filesystem::path& file,
                           const std::function<bool(std::string&)>& take);

/// outputs/subtask-NN.md inside the run folder `dir`.
std::filesystem::path subtask_output(const std::filesystem::path& dir, int number);

} // namespace et::store::detail
