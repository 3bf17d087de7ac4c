#include "et/provider/http_provider.hpp"

#include <mutex>
#include <optional>

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
  std::string error_body;                        // non-2xx bodies, for classification
  std::unique_ptr<wire::stream_decoder> decoder; // streams only
  std::optional<failure> stream_error;           // a typed error event
  std::vector<chunk> pending;
  size_t chunks_delivered = 0;

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

wire::http_reply reply_of(exchange_state& st) {
  return wire::http_reply{st.status, st.headers, std::move(st.error_body)};
}

} // namespace

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
      codec_(std::move(codec)) {}

http::request http_provider::to_http(wire::http_request req) const {
  http::request out;
  out.method = std::move(req.method);
  out.base = base_;
  out.target = std::move(req.target);
  out.headers = std::move(req.headers);
  out.body = std::move(req.body);
  out.timeouts = settings_.timeout;
  return out;
}

http::exchange http_provider::complete(const chat_request& req, completion_handler done) {
  auto built = codec_->chat(req, false);
  if (!built) {
    done(built.error());
    return {};
  }
  auto st = std::make_shared<exchange_state>();
  auto codec = codec_;
  http::handlers h;
  h.on_head = [st](const http::response_head& head) {
    st->status = head.status;
    st->headers = head.headers;
  };
  h.on_body = [st](std::string_view bytes) { st->error_body.append(bytes); };
  h.on_done = [st, codec, done](result<void> r) {
    if (!r)
      return done(r.error());
    if (!is_success(st->status))
      return done(codec->classify(reply_of(*st)));
    done(codec->decode_chat(st->error_body));
  };
  return client_.send(to_http(std::move(*built)), std::move(h));
}

http::exchange http_provider::stream(const chat_request& req, chunk_handler on_chunk,
                                     completion_handler done) {
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
  };
  h.on_body = [st, on_chunk](std::string_view bytes) {
    if (!is_success(st->status)) {
      st->error_body.append(bytes);
      return;
    }
    if (st->stream_error)
      return; // the rest of a failed stream is noise
    st->pending.clear();
    auto fed = st->decoder->feed(bytes, st->pending);
    for (auto& c : st->pending) {
      ++st->chunks_delivered;
      on_chunk(std::move(c));
    }
    if (!fed) {
      st->stream_error = fed.error();
      st->cancel(); // stop reading: the provider said the stream failed
    }
  };
  h.on_done = [st, codec, done](result<void> r) {
    if (st->stream_error)
      return done(*st->stream_error);
    if (!r)
      return done(st->chunks_delivered > 0 ? interrupted(r.error(), st->chunks_delivered)
                                           : r.error());
    if (!is_success(st->status))
      return done(codec->classify(reply_of(*st)));
    done(st->decoder->finish());
  };
  auto handle = client_.send(to_http(std::move(*built)), std::move(h));
  st->set_handle(handle);
  return handle;
}

void http_provider::list_models(models_handler done) {
  list_page({}, std::make_shared<std::vector<model_info>>(), 50, std::move(done));
}

void http_provider::list_page(std::string page, std::shared_ptr<std::vector<model_info>> acc,
                              int left, models_handler done) {
  auto st = std::make_shared<exchange_state>();
  auto codec = codec_;
  http::handlers h;
  h.on_head = [st](const http::response_head& head) {
    st->status = head.status;
    st->headers = head.headers;
  };
  h.on_body = [st](std::string_view bytes) { st->error_body.append(bytes); };
  h.on_done = [this, st, codec, acc, left, done](result<void> r) {
    if (!r)
      return done(r.error());
    if (!is_success(st->status))
      return done(codec->classify(reply_of(*st)));
    auto decoded = codec->decode_models(st->error_body);
    if (!decoded)
      return done(decoded.error());
    acc->insert(acc->end(), decoded->models.begin(), decoded->models.end());
    if (decoded->next_page.empty() || left <= 1)
      return done(std::move(*acc));
    list_page(decoded->next_page, acc, left - 1, done);
  };
  client_.send(to_http(codec_->list_models(page)), std::move(h));
}

} // namespace et::provider
