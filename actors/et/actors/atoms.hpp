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
/// Ask whether a request fits the budgets.
using budget_atom = caf::atom_constant<caf::atom("budget")>;
/// Ask for the spend report.
using summary_atom = caf::atom_constant<caf::atom("summary")>;
/// Ask for status / statistics.
using status_atom = caf::atom_constant<caf::atom("status")>;

} // namespace et::actors
