// Streamed chat exchanges of the HTTP provider: pieces as they decode, the answer at the
// stream's terminal event, and a stream request answered with one JSON body read whole.

#include "et/provider/http_provider.hpp"

#include <algorithm>

#include "et/provider/detail/exchange.hpp"

namespace et::provider {

using namespace detail;

namespace {

// Whether a reply says its body is JSON ("application/json", not "application/jsonl").
bool is_json(const http::header_list& headers) {
  auto type = wire::find_header(headers, "content-type");
  return type && media_type(*type) == "application/json";
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

} // namespace

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
      st->stream_error = upstream_fault(fed.error());
      st->cancel(); // stop reading: the provider said the stream failed
    } else if (st->decoder->ended()) {
      // The answer is whole: it goes now, not when the upstream closes the body (one that
      // holds it open would turn it into a timeout). The body still drains, so the
      // connection may serve the next request; nothing that comes after is read.
      st->answered = true;
      st->pending.clear();
      auto finished = st->decoder->finish(st->pending);
      st->deliver(on_chunk);
      done(upstream_answer(std::move(finished)));
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
      return done(upstream_answer(whole_answer(*codec, *st, on_chunk)));
    // A last event without its delimiter still carries text: stream it first.
    st->pending.clear();
    auto finished = st->decoder->finish(st->pending);
    st->deliver(on_chunk);
    done(upstream_answer(std::move(finished)));
  };
  auto handle = client_.send(to_http(std::move(*built), base_, settings_.timeout), std::move(h));
  st->set_handle(handle);
  return handle;
}

} // namespace et::provider
