#include "et/provider/http_provider.hpp"

#include <algorithm>
#include <mutex>
#include <optional>

#include "et/config/secrets.hpp"
#include "et/util/text.hpp"
#include "et/wire/classify.hpp"

namespace et::provider {

namespace {

bool is_success(int status) {
  return status >= 200 && status < 300;
}

// What one exchange gathers across its callbacks. The client never runs the
// callbacks of one exchange concurrently, so no lock is needed.
struct exchange_state {
  int status = 0;
  http::header_list headers;
  std::string error_body;   // whole replies: the body (non-2xx ones are classified)
  bool maybe_whole = false; // a 2xx application/json answer to a stream request: is it one?
  bool whole = false;       // a stream request answered 2xx with one JSON body
  bool answered = false;    // a stream's terminal event came: its answer went out already
  std::unique_ptr<wire::stream_decoder> decoder; // streams only
  std::optional<failure> stream_error;           // a typed error event
  std::vector<chunk> pending;
  size_t chunks_delivered = 0;

  // Hands on what one read decoded, joined: events that came at once go on as one piece.
  void deliver(const chunk_handler& on_chunk) {
    coalesce(pending);
    for (auto& c : pending) {
      ++chunks_delivered;
      on_chunk(std::move(c));
    }
  }

  // send() returns the handle while the I/O thread may already be running
  // the callbacks, so the handle is guarded.
  void set_handle(http::exchange h) {
    std::lock_guard<std::mutex> guard{mutex};
    handle = std::move(h);
  }
  void cancel() {
    std::lock_guard<std::mutex> guard{mutex};
    handle.cancel();
  }

private:
  std::mutex mutex;
  http::exchange handle;
};

// Transport failures after output reached the caller cannot be retried
// elsewhere without repeating text, so they become stream_interrupted.
failure interrupted(const failure& cause, size_t chunks) {
  auto f = cause;
  f.code = errc::stream_interrupted;
  f.message = "stream cut after " + std::to_string(chunks) + " chunks: " + to_string(cause);
  return f;
}

// Whether a reply says its body is JSON ("application/json", not "application/jsonl").
bool is_json(const http::header_list& headers) {
  auto type = wire::find_header(headers, "content-type");
  if (!type)
    return false;
  auto media = ascii_lower(type->substr(0, std::min(type->find(';'), type->size())));
  auto end = media.find_last_not_of(" \t");
  return media.substr(0, end == std::string::npos ? 0 : end + 1) == "application/json";
}

// A stream request answered with one JSON body: a proxy's error or a server that ignores
// "stream": the codec reads it as a whole reply (its error typed), and an answer goes on as
// one piece. Read as events, it would be a stream that broke, retried for nothing.
result<chat_response> whole_answer(const wire::codec& codec, exchange_state& st,
                                   const chunk_handler& on_chunk) {
  auto r = codec.decode_chat(st.error_body);
  if (r || r.error().code != errc::invalid_input) {
    if (r && (!r->content.empty() || !r->reasoning.empty()))
      on_chunk(chunk{r->content, r->reasoning, "", ""});
    return r;
  }
  // Not one answer after all (lines of JSON a proxy calls JSON): read as the stream it is.
  st.pending.clear();
  if (auto fed = st.decoder->feed(st.error_body, st.pending); !fed)
    return fed.error();
  auto finished = st.decoder->finish(st.pending);
  st.deliver(on_chunk);
  return finished;
}

wire::http_reply reply_of(exchange_state& st) {
  return wire::http_reply{st.status, st.headers, std::move(st.error_body)};
}

using secret_list = std::shared_ptr<const std::vector<std::string>>;

// An error text cut to a length (a non-JSON body keeps 500 bytes) may end in
// the first part of a secret; 8 bytes and more of one are replaced too.
void scrub_cut_tail(std::string& text, const std::vector<std::string>& secrets) {
  constexpr size_t min_part = 8;
  for (const auto& secret : secrets) {
    for (size_t k = std::min(secret.size() - 1, text.size()); k >= min_part; --k) {
      if (text.compare(text.size() - k, k, secret, 0, k) == 0) {
        text.replace(text.size() - k, k, "****");
        break;
      }
    }
  }
}

// The one exit of upstream text: a failure's message without any secret.
failure clean(failure f, const secret_list& secrets) {
  f.message = scrub(std::move(f.message), *secrets);
  scrub_cut_tail(f.message, *secrets);
  return f;
}

template <class T>
std::function<void(result<T>)> scrubbing(std::function<void(result<T>)> done, secret_list secrets) {
  return [done = std::move(done), secrets = std::move(secrets)](result<T> r) {
    if (r)
      return done(std::move(r));
    done(clean(r.error(), secrets));
  };
}

http::request to_http(wire::http_request req, const url& base, const config::timeouts& t) {
  http::request out;
  out.method = std::move(req.method);
  out.base = base;
  out.target = std::move(req.target);
  out.headers = std::move(req.headers);
  out.body = std::move(req.body);
  out.timeouts = t;
  return out;
}

// One whole (not streamed) exchange: a non-2xx reply is classified by the
// codec, a 2xx body handed to `decode`; `done` gets either, exactly once.
template <class T, class Decode>
http::exchange send_whole(http::client& client, const url& base, const config::timeouts& t,
                          std::shared_ptr<const wire::codec> codec,
                          result<wire::http_request> built, std::function<void(result<T>)> done,
                          Decode decode) {
  if (!built) {
    done(built.error());
    return {};
  }
  auto st = std::make_shared<exchange_state>();
  http::handlers h;
  h.on_head = [st](const http::response_head& head) {
    st->status = head.status;
    st->headers = head.headers;
  };
  h.on_body = [st](std::string_view bytes) { st->error_body.append(bytes); };
  h.on_done = [st, codec, done, decode](result<void> r) {
    if (!r)
      return done(r.error());
    if (!is_success(st->status))
      return done(codec->classify(reply_of(*st)));
    done(decode(*codec, st->error_body));
  };
  return client.send(to_http(std::move(*built), base, t), std::move(h));
}

} // namespace

// The most models a listing keeps, and the longest id or name it keeps one with.
constexpr std::size_t max_listed_models = 10'000;
constexpr std::size_t max_model_id_bytes = 256;

// Everything a listing needs, owned by the listing and not by the provider:
// its callbacks outlive neither. `client` may be used only while `stopped`
// is false, which the provider's destructor sets under `mutex` (the client
// outlives the provider, not necessarily the listing).
struct http_provider::listing {
  std::mutex mutex;
  bool stopped = false;
  http::exchange current;
  http::client* client = nullptr;
  url base;
  config::timeouts timeouts;
  std::shared_ptr<const wire::codec> codec;
  std::vector<model_info> models;
  int pages_left = 50;
  models_handler done; // scrubbing already

  // Requests `page` (under `mutex`, with `stopped` false).
  void request(const std::shared_ptr<listing>& self, std::string_view page);
  // Handles the end of one page's exchange.
  void on_page(const std::shared_ptr<listing>& self, exchange_state& st, result<void> r);
};

void http_provider::listing::request(const std::shared_ptr<listing>& self, std::string_view page) {
  auto st = std::make_shared<exchange_state>();
  http::handlers h;
  h.on_head = [st](const http::response_head& head) {
    st->status = head.status;
    st->headers = head.headers;
  };
  h.on_body = [st](std::string_view bytes) { st->error_body.append(bytes); };
  h.on_done = [self, st](result<void> r) { self->on_page(self, *st, std::move(r)); };
  current = client->send(to_http(codec->list_models(page), base, timeouts), std::move(h));
}

void http_provider::listing::on_page(const std::shared_ptr<listing>& self, exchange_state& st,
                                     result<void> r) {
  if (!r)
    return done(r.error());
  if (!is_success(st.status))
    return done(codec->classify(reply_of(st)));
  auto decoded = codec->decode_models(st.error_body);
  if (!decoded)
    return done(decoded.error());
  // An upstream's list is shown and searched: names of a sane length, and no more of them
  // than any provider has (a page of millions would be kept whole otherwise).
  for (auto& m : decoded->models)
    if (m.id.size() <= max_model_id_bytes && m.display_name.size() <= max_model_id_bytes
        && models.size() < max_listed_models)
      models.push_back(std::move(m));
  if (decoded->next_page.empty() || --pages_left <= 0 || models.size() >= max_listed_models)
    return done(std::move(models));
  {
    std::lock_guard<std::mutex> guard{mutex};
    if (!stopped) {
      request(self, decoded->next_page);
      return;
    }
  }
  done(make_failure(errc::cancelled, "the model listing was cancelled: its provider is gone"));
}

result<std::unique_ptr<http_provider>> http_provider::make(http::client& client,
                                                           const config::provider& settings) {
  auto codec = wire::make_codec(settings);
  if (!codec)
    return make_failure(errc::unsupported,
                        "provider " + settings.name + " has no HTTP protocol (type "
                            + std::string{config::to_string(settings.type)} + ")");
  auto base = parse_url(settings.base_url);
  if (!base)
    return base.error();
  return std::unique_ptr<http_provider>{
      new http_provider(client, settings, std::move(*base), std::move(codec))};
}

http_provider::http_provider(http::client& client, config::provider settings, url base,
                             std::unique_ptr<wire::codec> codec)
    : client_(client), settings_(std::move(settings)), base_(std::move(base)),
      codec_(std::move(codec)),
      secrets_(std::make_shared<const std::vector<std::string>>(config::secret_forms(settings_))) {}

http_provider::~http_provider() {
  for (const auto& weak : listings_) {
    if (auto l = weak.lock()) {
      std::lock_guard<std::mutex> guard{l->mutex};
      l->stopped = true;
      l->current.cancel();
    }
  }
}

http::exchange http_provider::complete(const chat_request& req, completion_handler on_done) {
  auto done = scrubbing(std::move(on_done), secrets_);
  return send_whole(
      client_, base_, settings_.timeout, codec_, codec_->chat(req, false), std::move(done),
      [](const wire::codec& c, std::string_view body) { return c.decode_chat(body); });
}

http::exchange http_provider::embed(const embed_request& req, embed_handler on_done) {
  auto done = scrubbing(std::move(on_done), secrets_);
  return send_whole(
      client_, base_, settings_.timeout, codec_, codec_->embed(req), std::move(done),
      [req](const wire::codec& c, std::string_view body) { return c.decode_embed(body, req); });
}

http::exchange http_provider::count_tokens(const chat_request& req, completion_handler on_done) {
  // A server of the protocol without its counting endpoint (an Anthropic-compatible one)
  // answers 404 or 405: this candidate cannot count, which is no failure of the deployment.
  completion_handler cannot_count = [on_done = std::move(on_done)](result<chat_response> r) {
    if (!r && (r.error().http_status == 404 || r.error().http_status == 405)) {
      auto f = r.error();
      f.code = errc::unsupported;
      f.message = "no token-counting endpoint here: " + f.message;
      return on_done(std::move(f));
    }
    on_done(std::move(r));
  };
  auto done = scrubbing(std::move(cannot_count), secrets_);
  return send_whole(
      client_, base_, settings_.timeout, codec_, codec_->count_tokens(req), std::move(done),
      [model = req.model](const wire::codec& c, std::string_view body) -> result<chat_response> {
        auto n = c.decode_count(body);
        if (!n)
          return n.error();
        chat_response r;
        r.model = model;
        r.tokens.prompt_tokens = *n;
        return r;
      });
}

http::exchange http_provider::stream(const chat_request& req, chunk_handler on_chunk,
                                     completion_handler on_done) {
  auto done = scrubbing(std::move(on_done), secrets_);
  auto built = codec_->chat(req, true);
  if (!built) {
    done(built.error());
    return {};
  }
  auto st = std::make_shared<exchange_state>();
  st->decoder = codec_->make_stream_decoder();
  auto codec = codec_;
  http::handlers h;
  h.on_head = [st](const http::response_head& head) {
    st->status = head.status;
    st->headers = head.headers;
    st->maybe_whole = is_success(head.status) && is_json(head.headers);
  };
  h.on_body = [st, on_chunk, done](std::string_view bytes) {
    if (!is_success(st->status)) {
      auto room =
          wire::max_error_body_bytes - std::min(st->error_body.size(), wire::max_error_body_bytes);
      st->error_body.append(bytes.substr(0, room));
      return;
    }
    if (st->maybe_whole) {
      // Some proxies call an event stream JSON: the first byte that is not white space says.
      auto first = bytes.find_first_not_of(" \t\r\n");
      if (first == std::string_view::npos)
        return;
      st->maybe_whole = false;
      st->whole = bytes[first] == '{';
    }
    if (st->whole) {
      st->error_body.append(bytes);
      return;
    }
    if (st->stream_error || st->answered)
      return; // the rest of a failed or finished stream is noise
    st->pending.clear();
    auto fed = st->decoder->feed(bytes, st->pending);
    st->deliver(on_chunk);
    if (!fed) {
      st->stream_error = fed.error();
      st->cancel(); // stop reading: the provider said the stream failed
    } else if (st->decoder->ended()) {
      // The answer is whole: it goes now, not when the upstream closes the body (one that
      // holds it open would turn it into a timeout). The body still drains, so the
      // connection may serve the next request; nothing that comes after is read.
      st->answered = true;
      st->pending.clear();
      auto finished = st->decoder->finish(st->pending);
      st->deliver(on_chunk);
      done(std::move(finished));
    }
  };
  h.on_done = [st, codec, on_chunk, done](result<void> r) {
    if (st->answered)
      return;
    if (st->stream_error)
      return done(*st->stream_error);
    if (!r)
      return done(st->chunks_delivered > 0 ? interrupted(r.error(), st->chunks_delivered)
                                           : r.error());
    if (!is_success(st->status))
      return done(codec->classify(reply_of(*st)));
    if (st->whole)
      return done(whole_answer(*codec, *st, on_chunk));
    // A last event without its delimiter still carries text: stream it first.
    st->pending.clear();
    auto finished = st->decoder->finish(st->pending);
    st->deliver(on_chunk);
    done(std::move(finished));
  };
  auto handle = client_.send(to_http(std::move(*built), base_, settings_.timeout), std::move(h));
  st->set_handle(handle);
  return handle;
}

void http_provider::list_models(models_handler done) {
  listings_.erase(
      std::remove_if(listings_.begin(), listings_.end(), [](const auto& w) { return w.expired(); }),
      listings_.end());
  auto l = std::make_shared<listing>();
  l->client = &client_;
  l->base = base_;
  l->timeouts = settings_.timeout;
  l->codec = codec_;
  l->done = scrubbing(std::move(done), secrets_);
  listings_.push_back(l);
  std::lock_guard<std::mutex> guard{l->mutex};
  l->request(l, {});
}

} // namespace et::provider
