#pragma once
/// Every atom of et's messages. Atoms are verbs; payloads are libet structs.
/// CAF 0.17 atoms hold at most 10 characters.

#include "caf/atom.hpp"

namespace et::actors {

/// Answer a request in one piece.
using complete_atom = caf::atom_constant<caf::atom("complete")>;
/// Answer a request as a stream of chunks.
using stream_atom = caf::atom_constant<caf::atom("stream")>;
/// A streamed piece of an answer.
using chunk_atom = caf::atom_constant<caf::atom("chunk")>;
/// List models.
using models_atom = caf::atom_constant<caf::atom("models")>;
/// Embed texts into vectors.
using embed_atom = caf::atom_constant<caf::atom("embed")>;
/// Count the input tokens of a request (no answer is made).
using count_atom = caf::atom_constant<caf::atom("count")>;
/// Cancel a request in flight.
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
/// Internal: an asynchronous operation finished.
using done_atom = caf::atom_constant<caf::atom("done")>;
/// Internal: an asynchronous operation failed.
using failed_atom = caf::atom_constant<caf::atom("failed")>;
/// Internal: a timer fired.
using tick_atom = caf::atom_constant<caf::atom("tick")>;
/// Internal: retry a request after its backoff.
using retry_atom = caf::atom_constant<caf::atom("retry")>;
/// Record a finished call in the ledger.
using record_atom = caf::atom_constant<caf::atom("record")>;
/// Write what waits (the ledger's batch of records).
using flush_atom = caf::atom_constant<caf::atom("flush")>;
/// Ask whether a request fits the budgets.
using budget_atom = caf::atom_constant<caf::atom("budget")>;
/// Ask for the spend report.
using summary_atom = caf::atom_constant<caf::atom("summary")>;
/// Ask for status / statistics.
using status_atom = caf::atom_constant<caf::atom("status")>;
/// Stop taking work and report when what is in flight has finished.
using drain_atom = caf::atom_constant<caf::atom("drain")>;
/// Ask for the retries waited for since the last ask.
using retries_atom = caf::atom_constant<caf::atom("retries")>;
/// How many requests are in flight.
using inflight_atom = caf::atom_constant<caf::atom("inflight")>;

/// Mayor: split a task into subtasks.
using decompose_atom = caf::atom_constant<caf::atom("decompose")>;
/// Mayor: write the workers' shared brief.
using coordinate_atom = caf::atom_constant<caf::atom("coordinate")>;
/// Mayor: combine the workers' results.
using synthesize_atom = caf::atom_constant<caf::atom("synthesize")>;
/// Polecat: carry out a subtask.
using execute_atom = caf::atom_constant<caf::atom("execute")>;
/// Witness: review and score work.
using review_atom = caf::atom_constant<caf::atom("review")>;
/// Witness: check work against criteria.
using validate_atom = caf::atom_constant<caf::atom("validate")>;
/// Refinery: refine text, with or without feedback.
using refine_atom = caf::atom_constant<caf::atom("refine")>;

} // namespace et::actors
