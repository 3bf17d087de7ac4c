#pragma once
/// The configuration as plain structs with their defaults. The YAML loader
/// (loader.hpp) fills them; every spawn function receives its section by const
/// reference. Keys and defaults are documented in configs/electrictown.yaml.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "et/llm/errc.hpp"
#include "et/llm/thinking_style.hpp"

namespace et::config {

using std::chrono::milliseconds;

/// Which wire protocol a provider speaks.
enum class provider_type : uint8_t { openai, anthropic, ollama, gemini, mock };

/// How a provider authenticates.
enum class auth_type : uint8_t { bearer, basic, none };

/// "openai", "anthropic", "ollama", "gemini", "mock".
std::string_view to_string(provider_type t);
/// "bearer", "basic", "none".
std::string_view to_string(auth_type a);

/// HTTP timeouts of one request.
struct timeouts {
  milliseconds connect{10'000};     ///< TCP + TLS handshake
  milliseconds first_byte{120'000}; ///< from sending to the first response byte
  milliseconds idle{60'000};        ///< longest silence between stream chunks
  milliseconds total{600'000};      ///< the whole exchange
};

/// An error the mock provider injects.
struct mock_fault {
  errc error = errc::server_error; ///< class of the injected error
  std::vector<int64_t> on_calls;   ///< 1-based call numbers that fail (empty: see probability)
  double probability = 0;          ///< chance per call when on_calls is empty
  milliseconds retry_after{0};     ///< delay reported with rate_limited
  std::string message;             ///< the error text
  bool unsent = false;             ///< it stands for one that never reached the provider
};

/// One scripted reply of the mock provider: the first rule that matches wins.
struct mock_rule {
  std::string model; ///< only requests for this model id ("" = any)
  std::string match; ///< case-insensitive substring of the prompt ("" = any)
  std::string reply; ///< reply text; {prompt}, {model} and {call} are substituted
};

/// Settings of the in-process mock provider (type: mock).
struct mock_settings {
  std::string mode = "echo";       ///< echo | fixed | script
  std::string text;                ///< the reply of mode fixed
  std::vector<mock_rule> script;   ///< the rules of mode script
  milliseconds latency{0};         ///< delay before the first token
  double tokens_per_second = 0;    ///< streaming pace, 0 = all at once
  std::vector<mock_fault> faults;  ///< injected errors
  uint64_t seed = 1;               ///< seed for probabilistic faults
  std::vector<std::string> models; ///< what list_models returns
};

/// TLS options of a provider endpoint.
struct tls_client {
  std::string ca_file; ///< extra CA bundle (PEM); "" = system store only
  bool verify = true;  ///< verify the server certificate and host name
};

/// A configured provider endpoint.
struct provider {
  std::string name;                             ///< key under `providers`
  provider_type type = provider_type::openai;   ///< wire protocol
  std::string base_url;                         ///< endpoint root (defaults per type)
  std::string api_key;                          ///< secret after env expansion; never print it
  std::string api_key_source;                   ///< the text as written, e.g. "$OPENAI_API_KEY"
  auth_type auth = auth_type::none;             ///< how the key is sent
  std::string org;                              ///< OpenAI-Organization header
  std::map<std::string, std::string> headers;   ///< extra request headers
  timeouts timeout;                             ///< per-request timeouts
  tls_client tls;                               ///< TLS verification options
  int max_connections = 16;                     ///< keep-alive pool bound per origin
  std::string anthropic_version = "2023-06-01"; ///< anthropic-version header
  mock_settings mock;                           ///< type mock only
};

/// Prices in USD per million tokens.
struct price {
  double input = 0;       ///< prompt tokens
  double output = 0;      ///< completion tokens
  double cache_read = 0;  ///< prompt tokens read from cache
  double cache_write = 0; ///< prompt tokens written to cache
};

/// A model alias: a name for provider + model id + options.
struct model_alias {
  std::string name;                      ///< key under `models`
  std::string provider;                  ///< key under `providers`
  std::string model;                     ///< the provider's model id
  std::optional<int32_t> max_tokens;     ///< overrides defaults.max_tokens
  std::optional<double> temperature;     ///< overrides defaults.temperature
  std::optional<double> top_p;           ///< nucleus sampling
  std::optional<int32_t> num_ctx;        ///< Ollama context window
  std::string keep_alive;                ///< Ollama keep_alive
  std::optional<int64_t> context_window; ///< input token limit, for planning
  std::optional<price> prices;           ///< overrides the price table
  /// How the model takes thinking (`thinking: adaptive | budget`, Anthropic providers only):
  /// et asks it to think, when a client asks for thinking, only in a way it takes.
  thinking_style thinking = thinking_style::unknown;
};

/// A worker slot of a pool: an alias (maybe on a remote node) and its parallelism.
struct pool_member {
  std::string model;       ///< alias, "alias@node" or "provider/model"
  int max_concurrency = 1; ///< subtasks this member takes at once
};

/// A role (mayor, polecat, witness, refinery or custom) or a specialist.
struct role {
  std::string name;                         ///< key under `roles` / `specialists`
  std::string model;                        ///< primary reference
  std::vector<std::string> fallbacks;       ///< tried in order after the primary
  std::vector<pool_member> pool;            ///< parallel workers (empty = single)
  std::optional<std::string> system_prompt; ///< overrides the built-in prompt
  std::optional<int32_t> max_tokens;        ///< overrides the alias and defaults
  std::optional<double> temperature;        ///< overrides the alias and defaults
  std::string description;                  ///< specialists: what they are for
};

/// Used where a role has no configuration of its own.
struct defaults {
  std::string model;                  ///< alias for unconfigured roles
  std::vector<std::string> fallbacks; ///< their fallbacks
  int32_t max_tokens = 4096;          ///< completion limit
  std::optional<double> temperature;  ///< sampling temperature (provider default if unset)
  std::string log_dir;                ///< electrictown's key, unused: et writes no log files
  std::string runs_dir;               ///< run journals ("" = state_dir/runs)
  std::string state_dir;              ///< ledger and runs ("" = ~/.local/state/electrictown)
};

/// Retries of one deployment before falling back.
struct retry {
  int attempts = 3;                  ///< tries per deployment, first one included
  milliseconds initial_backoff{500}; ///< first backoff
  milliseconds max_backoff{30'000};  ///< backoff cap
  milliseconds max_wait{60'000};     ///< cap on a server's Retry-After
  double jitter = 0.2;               ///< +- fraction of randomness
};

/// Skipping a deployment that keeps failing.
struct cooldown {
  int failures = 3;            ///< failures within `window` that trigger it
  milliseconds window{60'000}; ///< counting window
  milliseconds period{30'000}; ///< how long it is skipped
};

/// Restart budget of supervised actors.
struct supervision {
  int max_restarts = 5;        ///< restarts allowed within `window`
  milliseconds window{10'000}; ///< counting window
};

/// Where prices come from besides the built-in table and per-alias overrides.
struct pricing {
  std::string file; ///< a LiteLLM model_prices_and_context_window.json
};

/// Spending limits in USD; unset means unlimited.
struct budgets {
  std::optional<double> per_run;          ///< one `et run`
  std::optional<double> per_day;          ///< all runs of a calendar day (UTC)
  std::map<std::string, double> per_role; ///< per role within one run
};

/// TLS material of a node connection (mutual TLS).
struct tls_material {
  std::string certificate;                              ///< PEM certificate
  std::string key;                                      ///< PEM private key
  std::string ca_file;                                  ///< the fleet's CA
  std::string passphrase;                               ///< of the key; never print it
  bool enabled() const { return !certificate.empty(); } ///< true when configured
};

/// A remote `et serve` node.
struct node {
  std::string name;                      ///< key under `nodes`
  std::string host;                      ///< address
  uint16_t port = 0;                     ///< port
  tls_material tls;                      ///< client certificate and CA
  milliseconds connect_timeout{5'000};   ///< connect timeout
  milliseconds request_timeout{600'000}; ///< bound on each remote request
};

/// How this process watches its peers (nodes it calls, callers of its node):
/// CAF's middleman heartbeats, so that a frozen host is noticed, not only a dead one.
struct network {
  milliseconds heartbeat{1'000};     ///< how often each connection proves it is alive
  milliseconds peer_timeout{10'000}; ///< silence after which a peer counts as gone
};

/// `et serve` settings.
struct server {
  std::string name;               ///< node name ("" = host name)
  std::string host = "127.0.0.1"; ///< listen address
  uint16_t port = 7700;           ///< listen port
  tls_material tls;               ///< mutual TLS; required unless insecure_plaintext
  int max_in_flight = 64;         ///< concurrent requests accepted
  /// Plain TCP without TLS, on a loopback address only. Any peer that reaches
  /// the port then talks to CAF's BASP parser unauthenticated (see README, Security).
  bool insecure_plaintext = false;
};

/// An agent CLI that `et session spawn --agent NAME` runs in a tmux pane.
struct agent {
  std::string name;                       ///< key under `agents`
  std::string command;                    ///< the template as written
  std::vector<std::string> words;         ///< command split into words, placeholders kept
  std::map<std::string, std::string> env; ///< extra environment of the pane
  std::string ready;                      ///< regex shown on screen when ready ("" = at once)
};

/// Whether verify commands run in a bubblewrap sandbox.
enum class sandbox_mode : uint8_t {
  on,        ///< always; verify refuses to run without it (the default)
  automatic, ///< when bwrap works here, else unconfined with a note on stderr (opted into)
  off,       ///< never
};

/// "auto", "on", "off".
std::string_view to_string(sandbox_mode m);

/// How `et run --verify` runs the model-written code it checks.
struct verify {
  sandbox_mode sandbox = sandbox_mode::on; ///< bubblewrap: no network, an allow list of files
  std::vector<std::string> env;            ///< variables passed besides PATH, HOME, LANG, TMPDIR
  /// Folders or files the sandbox shows read-only besides the system's, the home's toolchains
  /// and PATH (absolute, never the home or one holding it).
  std::vector<std::string> read_only;
  /// `verify.limits`: bounds on what a verify command may use (0 = none of that kind). Core
  /// dumps are always off.
  struct limits_section {
    int64_t processes = 4096; ///< processes and threads it may add to its user's
    int64_t file_mib = 4096;  ///< the largest file it may write
    int64_t memory_mib =
        0; ///< address space per process (sanitizers and runtimes reserve far more than they use)
  } limits;
};

/// A reader endpoint that fetches pages on et's behalf (Jina-style: GET base_url + URL).
struct fetch_reader {
  std::string base_url;    ///< e.g. "https://r.jina.ai/" ("" = et fetches pages itself)
  std::string api_key_env; ///< the variable holding its bearer token ("" = none)
  std::string api_key;     ///< that variable's value at load time; never print it
};

/// `context.fetch`: how `--fetch URL` reaches web pages.
struct fetch_settings {
  bool allow_private = false;         ///< loopback, private, link-local addresses allowed
  int64_t max_bytes = 2 << 20;        ///< bytes of a body at most
  milliseconds timeout{20'000};       ///< whole fetch of one URL, redirects included
  int max_redirects = 5;              ///< redirects followed, each re-checked
  milliseconds cache_ttl{86'400'000}; ///< how long a cached page is used
  fetch_reader reader;                ///< optional reader endpoint
};

/// `context.qdrant`: a Qdrant server that holds the index's vectors instead of the index file.
struct qdrant_settings {
  std::string url;        ///< http(s) base URL, e.g. "http://127.0.0.1:6333" ("" = not used)
  std::string collection; ///< collection name ("et" unless set)
  std::string api_key;    ///< secret after env expansion ("" = none); never print it
  bool enabled() const { return !url.empty(); } ///< true when configured
};

/// `context.index`: what `et index` reads and how it cuts files into chunks.
struct index_settings {
  int64_t max_file_bytes = 1 << 20; ///< larger files are skipped (generated data, logs, bundles)
  int chunk_lines = 60;             ///< lines per chunk at most
  int chunk_bytes = 4096;           ///< bytes per chunk at most
};

/// Retrieval context (`context`): what `et index` reads and how it embeds its chunks, where
/// the vectors live and how `--fetch` reaches web pages.
struct context {
  std::string embed;                        ///< alias of the embedding model ("" = BM25 only)
  std::vector<std::string> embed_fallbacks; ///< aliases tried in order after it
  int embed_batch = 64;                     ///< inputs per embedding call, 1 to 2048
  qdrant_settings qdrant;                   ///< vectors in Qdrant (url "" = in the index file)
  fetch_settings fetch;                     ///< web pages given with --fetch
  index_settings index;                     ///< what the index reads, how it cuts it
};

/// The whole configuration.
struct settings {
  std::string source;                        ///< the file it came from
  std::map<std::string, provider> providers; ///< by name
  std::map<std::string, model_alias> models; ///< by alias
  std::map<std::string, role> roles;         ///< by role name
  std::map<std::string, role> specialists;   ///< by specialist name
  config::defaults defaults;                 ///< role defaults
  config::retry retry;                       ///< retry policy
  config::timeouts timeouts;                 ///< default provider timeouts
  config::cooldown cooldown;                 ///< cooldown policy
  config::supervision supervision;           ///< restart budget
  config::pricing pricing;                   ///< price sources
  config::budgets budgets;                   ///< spending limits
  std::map<std::string, node> nodes;         ///< remote nodes
  config::server server;                     ///< `et serve`
  config::network network;                   ///< heartbeats between et processes
  std::map<std::string, agent> agents;       ///< agent CLIs for `et session`
  config::verify verify;                     ///< how verify commands run
  config::context context;                   ///< retrieval: embeddings, --fetch

  /// The role's settings, or one built from `defaults` for an unconfigured role.
  role role_or_default(const std::string& name) const;
  /// Every secret in it (API keys, credential headers, TLS passphrases), to scrub from what
  /// users see.
  std::vector<std::string> secrets() const;
};

} // namespace et::config
