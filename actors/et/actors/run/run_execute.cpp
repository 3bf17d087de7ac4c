// The execute step of the run: fanning jobs out through the pool, folding its progress
// into the record (journaled and published as it happens) and writing each worker's files
// as soon as it finishes.

#include <algorithm>
#include <set>
#include <variant>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/run/run_state.hpp"
#include "et/plan/files.hpp"
#include "et/roles/pool.hpp"
#include "et/util/text.hpp"

namespace et::actors::run_detail {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

namespace {

roles::execution execution_of(run_state& st, std::vector<roles::job> jobs) {
  const auto& r = st.record();
  roles::execution e;
  e.task = r.header.task;
  // Every worker reads the plan's summary and, when the mayor wrote one, its brief.
  e.brief = r.brief.empty() ? r.summary : r.summary + "\n\n" + r.brief;
  e.jobs = std::move(jobs);
  std::set<int> running;
  for (const auto& j : e.jobs)
    running.insert(j.subtask.number);
  for (const auto& s : r.subtasks)
    if (!running.count(s.number) && s.state == store::subtask_state::done)
      e.finished.push_back(roles::worker_result{s.number, s.text, s.output, true, ""});
  e.lanes = roles::plan_lanes(*st.setup.settings, r.header.worker_role,
                              std::max<int>(1, static_cast<int>(e.jobs.size())));
  e.write_files = st.output.has_value();
  e.review = roles::review_policy{static_cast<bool>(st.witness), st.setup.limits.min_score,
                                  st.setup.limits.max_reasks};
  return e;
}

// What keeps an answer's files from being written as given (format, refused paths, files
// another subtask owns), or nothing.
std::vector<std::string> file_problems(const run_state& st, const store::subtask_record& rec) {
  auto scan = plan::scan_file_blocks(rec.output);
  auto found = std::move(scan.problems);
  for (auto& p : st.output->problems(rec.number, scan.blocks))
    found.push_back(std::move(p));
  return found;
}

// Holds the answer back and queues one re-ask to the worker that wrote it, when its file
// blocks need fixing and it was not re-asked for them before. True when held.
bool held_for_files(run_pointer self, store::subtask_record& rec) {
  auto& st = self->state;
  if (!st.output || st.file_reasks.count(rec.number) || stopping(st))
    return false;
  auto problems = file_problems(st, rec);
  if (problems.empty())
    return false;
  st.file_reasks.insert(rec.number);
  std::string feedback = "Some of your files could not be written as you gave them:\n";
  for (const auto& p : problems)
    feedback += "- " + p + "\n";
  feedback += "Answer again with every file of your subtask complete, each in its own closed "
              "block (```file path=REL/PATH ... ```), and only your own files.";
  st.files_to_reask.push_back(job_for(rec, std::move(feedback), rec.member));
  note(self,
       label(st, rec.number) + " file blocks: " + join(problems, "; ") + "; asked " + rec.member
           + " again",
       true);
  return true;
}

void on_finished(run_pointer self, const roles::subtask_outcome& o) {
  auto& st = self->state;
  auto* rec = find(st.record(), o.result.number);
  if (!rec)
    return;
  // The pool keeps the answer a re-ask (for a review, a check, file blocks) was to improve
  // when the re-ask got none: what a worker wrote is never lost.
  if (!o.reask_failed.empty())
    note(self,
         label(st, rec->number) + " the re-ask did not answer (" + o.reask_failed
             + "); the earlier answer stands",
         true);
  if (!o.review_failed.empty())
    note(self, label(st, rec->number) + " review failed (" + o.review_failed + "); kept unreviewed",
         true);
  auto started = st.started.find(rec->number);
  rec->state = o.result.ok ? store::subtask_state::done : store::subtask_state::failed;
  auto author = st.authors.extract(rec->number);
  if (!o.member.empty()) {
    rec->member = o.member;
    rec->provider = o.provider;
    rec->model = o.model;
  } else if (!o.reask_failed.empty() && author) { // no one answered: the earlier answer's own
    rec->member = author.mapped()[0];
    rec->provider = author.mapped()[1];
    rec->model = author.mapped()[2];
  }
  rec->output = o.result.output;
  rec->error = o.result.error;
  rec->tokens += o.tokens;
  rec->usd += o.usd;
  if (o.scored)
    rec->score = o.score;
  rec->elapsed_ms =
      started == st.started.end()
          ? 0
          : std::chrono::duration_cast<milliseconds>(clock_type::now() - started->second).count();
  if (o.cancelled)
    rec->state = store::subtask_state::pending; // never ran to the end: a resume runs it again
  const auto& role = rec->specialist.empty() ? st.record().header.worker_role : rec->specialist;
  for (const auto& f : o.fallbacks)
    took(self, store::fallback_record{rec->number, role, f, o.result.ok && f.to == rec->member});
  jot(self, st.setup.journal->subtask_finished(*rec));
  publish(self, store::run_subtask_changed{*rec});
  auto tag = label(st, rec->number);
  if (o.result.ok) {
    note(self, tag + " done by " + rec->member + ": "
                   + std::to_string(rec->tokens.completion_tokens) + " tokens in "
                   + format_elapsed(milliseconds{rec->elapsed_ms}));
    // An earlier answer that stands has its files on disk (another subtask's fix may have
    // written one of them since: it is not taken back); a first answer held for a re-ask not.
    bool written = !o.reask_failed.empty() && !rec->files.empty();
    if (!written && !held_for_files(self, *rec))
      write_files(self, *rec);
  } else if (!o.cancelled) {
    note(self, tag + " FAILED: " + rec->error);
  }
}

} // namespace

void write_files(run_pointer self, store::subtask_record& rec) {
  auto& st = self->state;
  if (!st.output)
    return;
  auto tag = label(st, rec.number);
  auto scan = plan::scan_file_blocks(rec.output);
  if (st.file_reasks.count(rec.number))
    for (const auto& p : scan.problems) // asked once already: what is left is reported
      note(self, tag + " file blocks: " + p, true);
  const auto& blocks = scan.blocks;
  if (blocks.empty())
    return;
  auto report = st.output->write(rec.number, blocks);
  for (const auto& r : report.refused)
    note(self, tag + " refused to write " + r.path + ": " + r.reason, true);
  for (const auto& c : report.conflicts)
    note(self,
         c.path + " was written by subtask " + std::to_string(c.first_owner)
             + " and then by subtask " + std::to_string(c.later_owner) + " (the later one is kept)",
         true);
  for (const auto& e : report.errors)
    note(self, tag + " could not write " + e, true);
  for (const auto& w : report.written)
    if (std::find(rec.files.begin(), rec.files.end(), w) == rec.files.end())
      rec.files.push_back(w);
  if (!report.written.empty()) {
    jot(self, st.setup.journal->files_written(rec.number, report.written));
    publish(self, store::run_subtask_changed{rec});
    note(self, tag + " wrote " + join(report.written, ", "));
  }
}

void on_progress(run_pointer self, const roles::progress& p) {
  auto& st = self->state;
  auto* rec = find(st.record(), p.number);
  if (!rec)
    return;
  auto n = p.number;
  if (auto* a = std::get_if<roles::progress::assigned>(&p.event)) {
    if (rec->state == store::subtask_state::done) // sent back: its answer may yet stand
      st.authors[n] = {rec->member, rec->provider, rec->model};
    rec->state = store::subtask_state::running;
    rec->member = a->member;
    ++rec->attempts;
    st.started.try_emplace(n, clock_type::now());
    jot(self, st.setup.journal->assigned(n, a->member, rec->attempts));
    publish(self, store::run_subtask_changed{*rec});
    note(self,
         label(st, n) + " started on " + a->member
             + (a->attempt > 1 ? " (attempt " + std::to_string(a->attempt) + ")" : ""),
         false, true);
  } else if (auto* s = std::get_if<roles::progress::streamed>(&p.event)) {
    publish(self, store::run_streamed{n, s->bytes});
  } else if (auto* f = std::get_if<roles::progress::attempt_failed>(&p.event)) {
    jot(self, st.setup.journal->attempt_failed(n, f->member, f->error));
    note(self, label(st, n) + " attempt on " + f->member + " failed: " + f->error);
  } else if (auto* r = std::get_if<roles::progress::reviewed>(&p.event)) {
    rec->score = r->score;
    jot(self, st.setup.journal->reviewed(n, r->score, r->note, st.review_rounds[n]++));
    publish(self, store::run_subtask_changed{*rec});
    // The pool says whether it asks again: below the bar, with re-asks left, not cancelled.
    bool low = r->score < st.setup.limits.min_score;
    note(self, label(st, n) + " reviewed: " + std::to_string(static_cast<int>(r->score)) + "/10"
                   + (r->sent_back ? ", sent back"
                      : low        ? ", kept (no re-asks left)"
                                   : ""));
  } else if (auto* o = std::get_if<roles::progress::finished>(&p.event)) {
    on_finished(self, o->outcome);
  }
}

namespace {

// Each job's prompt gets the project excerpts retrieved for its subtask (when the run has
// an index), ranked with the subtask's embedding when query_vectors has one; the record
// keeps their sources, journaled with the subtask's result.
void add_context(run_pointer self, std::vector<roles::job>& jobs) {
  auto& st = self->state;
  if (!st.setup.context_for)
    return;
  for (auto& j : jobs) {
    auto vector = st.query_vectors.find(j.subtask.text);
    bool hybrid = vector != st.query_vectors.end();
    auto ranked = st.setup.context_for(j.subtask.text, hybrid ? &vector->second : nullptr);
    if (hybrid && !ranked.hybrid && !std::exchange(st.bm25_said, true))
      note(self,
           "subtask context ranked by BM25 only: the index could not rank with the subtasks' "
           "embeddings"
               + (ranked.why.empty() ? std::string{} : ": " + ranked.why),
           true);
    hybrid = ranked.hybrid;
    auto& found = ranked.found;
    j.context = std::move(found.block);
    auto* rec = find(st.record(), j.subtask.number);
    if (rec == nullptr || found.sources == rec->context)
      continue;
    rec->context = std::move(found.sources);
    if (!rec->context.empty())
      note(self, label(st, j.subtask.number) + (hybrid ? " context (hybrid): " : " context: ")
                     + join(rec->context, " "));
  }
}

// The router cancels by request id: the run's embedding calls take ids no other caller of
// a router uses (the roles count from 1, the gateway's desks from 1 << 62).
constexpr uint64_t embed_ids = uint64_t{1} << 61;

// Why the vectors of `r` cannot rank `count` subtasks ("" when they can): the index's
// vectors are the only ones they compare with.
std::string unusable(const run_state& st, const routed_embedding& r, std::size_t count) {
  const auto& want = st.setup.embed_subtasks.model;
  if (r.response.vectors.size() != count)
    return "the embedding model answered " + std::to_string(r.response.vectors.size())
           + " vectors for " + std::to_string(count) + " subtasks";
  if (!want.empty() && r.model != want)
    return (r.alias.empty() ? r.provider : r.alias) + " answered with model " + r.model
           + ", not the index's " + want;
  return {};
}

// The texts of `jobs` the run has no embedding of yet, each once.
std::vector<std::string> unembedded(const run_state& st, const std::vector<roles::job>& jobs) {
  std::vector<std::string> texts;
  for (const auto& j : jobs)
    if (!st.query_vectors.contains(j.subtask.text)
        && std::find(texts.begin(), texts.end(), j.subtask.text) == texts.end())
      texts.push_back(j.subtask.text);
  return texts;
}

// Runs `jobs` through the pool with their context, then `next`.
void run_jobs(run_pointer self, std::vector<roles::job> jobs, std::function<void()> next,
              std::string phase) {
  auto& st = self->state;
  add_context(self, jobs);
  st.now = stage::executing;
  st.pool_cancelled = false;
  if (phase.empty())
    phase = st.record().verifications.empty() ? "execute" : "fix";
  begin_phase(self, phase);
  auto token = ++st.token;
  // Progress sent before the reply is already in; none comes after it.
  auto once = [self, token, next] {
    if (self->state.token != token)
      return;
    ++self->state.token;
    self->state.abandon = nullptr;
    end_phase(self);
    auto reasks = std::exchange(self->state.files_to_reask, {});
    if (!reasks.empty() && !stopping(self->state)) {
      execute(self, std::move(reasks), next, "files");
      return;
    }
    for (const auto& j : reasks) // stopped before the re-ask: the first answers' files
      if (auto* rec = find(self->state.record(), j.subtask.number))
        write_files(self, *rec);
    next();
  };
  st.abandon = once; // only when the pool dies: a stop cancels it and waits for its reply
  self->request(st.pool, caf::infinite, execute_atom::value, execution_of(st, std::move(jobs)))
      .then([once](std::vector<roles::subtask_outcome>&) { once(); },
            [self, once](caf::error& e) {
              note(self, "execute failed: " + to_string(from_caf(e)), true);
              once();
            });
}

} // namespace

void execute(run_pointer self, std::vector<roles::job> jobs, std::function<void()> next,
             std::string phase) {
  auto& st = self->state;
  const auto& embedding = st.setup.embed_subtasks;
  auto texts = st.setup.context_for && !embedding.target.empty() ? unembedded(st, jobs)
                                                                 : std::vector<std::string>{};
  if (texts.empty()) {
    run_jobs(self, std::move(jobs), std::move(next), std::move(phase));
    return;
  }
  // One embedding call for the batch's subtasks before any of them runs. A failure costs
  // only the ranking: the subtasks rank by BM25, the run says so once and asks no more.
  st.now = stage::retrieving;
  role_embed_request req;
  req.id = embed_ids | ++st.embeddings;
  req.target = embedding.target;
  req.fallbacks = embedding.fallbacks;
  req.inputs = texts;
  auto took = [self, id = req.id, texts, jobs = std::move(jobs), next,
               phase](std::optional<routed_embedding> r) mutable {
    auto& now = self->state;
    if (stopping(now)) { // stopped while it waited: the batch does not run
      self->send(now.setup.router, cancel_atom::value, id);
      next();
      return;
    }
    auto wrong = r ? unusable(now, *r, texts.size()) : std::string{};
    if (!r || !wrong.empty())
      now.setup.embed_subtasks.target.clear();
    if (!wrong.empty())
      note(self, "subtask context ranked by BM25 only: " + wrong, true);
    else if (r)
      for (std::size_t i = 0; i < texts.size(); ++i)
        now.query_vectors[texts[i]] = std::move(r->response.vectors[i]);
    run_jobs(self, std::move(jobs), std::move(next), std::move(phase));
  };
  ask<routed_embedding>(self, "subtask context ranked by BM25 only: embedding the subtasks",
                        st.setup.router, std::move(took), embed_atom::value, std::move(req));
}

} // namespace et::actors::run_detail
