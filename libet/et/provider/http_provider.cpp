#include "et/provider/http_provider.hpp"

#include <algorithm>
#include <mutex>
#include <optional>

#include "et/config/secrets.hpp"
#include "et/provider/detail/exchange.hpp"
#include "et/util/text.hpp"
#include "et/wire/classify.hpp"

namespace et::provider {

using namespace detail;

namespace {

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
    done(upstream_answer(decode(*codec, st->error_body)));
  };
  return client.send(to_http(std::move(*built), base, t), std::move(h));
}

} // namespace

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
    return done(upstream_fault(decoded.error()));
  // An upstream's list is shown and searched: names of a sane length, and no more of them
  // than any provider has (a page of millions would be kept whole otherwise).
  for (auto& m : decoded->models)
    if (listable(m) && models.size() < max_listed_models)
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
