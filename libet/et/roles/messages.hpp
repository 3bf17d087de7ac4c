#pragma once
/// The payloads of the role actors' messages (mayor, polecat, witness,
/// refinery). Plain structs, no CAF; their inspect overloads live in
/// actors/et/actors/detail/inspect.hpp.

#include <string>
#include <vector>

namespace et::roles {

/// What one worker produced for one subtask, or why it could not.
struct worker_result {
  int number = 0;      ///< the subtask's number (1..N)
  std::string subtask; ///< the subtask's text
  std::string output;  ///< the worker's answer ("" when it failed)
  bool ok = true;      ///< false when the worker failed
  std::string error;   ///< why it failed, for humans ("" when ok)
  bool operator==(const worker_result&) const = default;
};

/// A subtask as a polecat receives it.
struct work_order {
  std::string task;                        ///< the overall task, for context ("" = none)
  std::string subtask;                     ///< what to do
  std::string brief;                       ///< the mayor's shared brief ("" = none)
  std::vector<worker_result> dependencies; ///< results of the subtasks this one depends on
  bool write_files = false;                ///< ask for file blocks (an output dir is in use)
  std::string previous;                    ///< a re-ask: the earlier answer ("" = first try)
  std::string feedback;                    ///< a re-ask: what to change (review note, failures)
  std::string context; ///< project excerpts retrieved for this subtask ("" = none)
  bool operator==(const work_order&) const = default;
};

/// Work for the witness to review; an empty task reviews the work on its own.
struct review_request {
  std::string task;   ///< what the work was meant to do ("" = none)
  std::string output; ///< the work
  bool operator==(const review_request&) const = default;
};

/// Work for the witness to check against explicit criteria.
struct validation_request {
  std::string output;                ///< the work
  std::vector<std::string> criteria; ///< what it must satisfy, one per entry
  std::string task;                  ///< the task the work answers ("" = not given)
  std::vector<std::string> parts;    ///< the plan's subtasks, "N. text", for blame
  bool operator==(const validation_request&) const = default;
};

/// The witness's judgement.
struct verdict {
  double score = 0;   ///< 0..10
  std::string note;   ///< the review without its score line: what to fix
  std::string review; ///< the reviewer's whole answer
  bool operator==(const verdict&) const = default;
};

/// Text for the refinery; with feedback it revises, without it polishes.
struct refine_request {
  std::string text;     ///< what to refine
  std::string feedback; ///< what to change ("" = a general polish)
  std::string task;     ///< what the text is for, for context ("" = none)
  bool operator==(const refine_request&) const = default;
};

} // namespace et::roles
