#pragma once
/// What an `et serve` node tells its callers, and the parts of serving that
/// need no actor: the identifier peers must share, the node's default name,
/// its alias list and the line logged per request.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "et/config/settings.hpp"
#include "et/llm/chat.hpp"

namespace et::routing {

/// The major version of the node protocol (the messages of node_actor).
// 3: images, tool policies; 4: documents, tool policy none; 5: unsent and billed in errors.
inline constexpr int node_protocol_major = 5;

/// "et/<major>": the application identifier both ends of a node connection
/// announce. CAF refuses a peer announcing another one, so incompatible et
/// builds (or other CAF programs) never exchange a message.
std::string node_app_identifier();

/// How an Ollama provider answered `GET /api/tags` (sent with its configured auth).
struct provider_health {
  std::string provider;   ///< key under `providers`
  std::string base_url;   ///< where it was asked
  bool ok = false;        ///< it listed its models
  int64_t models = 0;     ///< how many (when ok)
  int64_t latency_ms = 0; ///< time to the answer or the failure
  std::string error;      ///< why not ok (secrets redacted)
  bool operator==(const provider_health&) const = default;
};

/// "ok  3 models  12 ms" or "FAILED  <error>  (12 ms)": the health part of an `et nodes` line.
std::string format_health(const provider_health& h);

/// A node's answer to a status request.
struct node_status {
  std::string name;                ///< server.name, or the host name
  std::string version;             ///< its et version (git describe)
  std::vector<model_info> aliases; ///< id: an alias callers may use; display_name: provider/model
  int64_t in_flight = 0;           ///< requests being answered now
  int64_t max_in_flight = 0;       ///< requests it takes at once (more are refused as overloaded)
  int64_t served = 0;              ///< requests finished since start, failures included
  int64_t uptime_ms = 0;           ///< milliseconds since start
  double usd = 0;                  ///< spend since start, as priced by the node
  bool tls = false;                ///< whether it listens with TLS
  std::vector<provider_health> ollama; ///< its Ollama providers' /api/tags health
  bool operator==(const node_status&) const = default;
};

/// A peer's status as et shows it: names one line of at most 256 bytes (printable(); an alias
/// whose id is not one already is dropped), the alias list kept as any listing (listable(),
/// max_listed_models; a context window that is not positive is unknown), at most 100 health rows
/// with one-line errors, counts not negative, and a spend that is a plausible dollar amount
/// (else 0). `et nodes` prints it and writes it as JSON, which has no NaN.
node_status plausible_status(node_status st);

/// The name a node goes by: server.name, or this machine's host name.
std::string node_name(const config::server& server);

/// The aliases a node offers, sorted, each as id = alias and
/// display_name = "provider/model".
std::vector<model_info> node_aliases(const config::settings& s);

/// The role a node's router and ledger see for every remote request: the
/// caller's own role name is its claim, not an identity (CAF 0.17's OpenSSL
/// module does not expose the peer certificate, so no better name exists).
inline constexpr const char* remote_role = "remote";

/// The output limit a remote caller gets when neither the alias nor the
/// node's defaults say otherwise is the node's defaults.max_tokens; these
/// bound what the alias does not: Ollama's context window (memory on the
/// node) and the number of stop sequences.
inline constexpr int32_t remote_num_ctx_bound = 32'768;
inline constexpr size_t remote_stop_bound = 16;

/// What a node takes from a peer in one request: as much as the gateway takes from a client
/// (gateway/request.hpp). CAF takes one message of up to 4 GiB; the bounds are et's own.
inline constexpr size_t remote_max_messages = 2048;  ///< turns
inline constexpr size_t remote_max_tools = 256;      ///< tools on offer
inline constexpr size_t remote_max_images = 100;     ///< images and documents
inline constexpr size_t remote_max_parts = 256;      ///< tool calls and thoughts of one turn
inline constexpr size_t remote_max_stop_bytes = 256; ///< one stop sequence
inline constexpr size_t remote_max_request_bytes = size_t{32} << 20; ///< every text together

/// Why a peer's request is refused before the node's router sees it ("" when it is not):
/// more turns, tools, images, parts of a turn or text (in any field) than remote_max_* allow,
/// or a stop sequence too long.
std::string remote_request_problem(const chat_request& req);

/// A remote caller's request as the node passes it on for `alias`: the node
/// pays and hosts the model, so its limits win. max_tokens is at most the
/// alias's max_tokens (else the node's defaults.max_tokens); num_ctx at most
/// the alias's num_ctx, else its context_window, else remote_num_ctx_bound;
/// temperature within [0, 2] and top_p within [0, 1]; keep_alive is the
/// alias's (a caller must not pin models in the node's memory); at most
/// remote_stop_bound stop sequences. Values that make no sense (zero,
/// negative, NaN) are dropped so that the node's own defaults apply.
chat_request clamp_remote_request(const config::settings& s, const config::model_alias& alias,
                                  chat_request req);

/// One finished request as `et serve` logs it.
struct request_log {
  std::string alias;                 ///< what the caller asked for
  bool streaming = false;            ///< stream or complete
  usage tokens;                      ///< what it cost in tokens
  std::chrono::milliseconds latency; ///< from arrival to answer
  std::string outcome;               ///< "ok" or the errc name
  std::string detail;                ///< why it failed ("" when ok)
};

/// "alias=coder mode=stream tokens=120+45 latency=1234ms outcome=ok", then
/// " (detail)" for failures: one line, for stderr.
std::string format_request_log(const request_log& entry);

} // namespace et::routing
