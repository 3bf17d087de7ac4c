#pragma once
/// Stand-ins for CAF's coordinator, worker and jobs, for the suites of et's scheduling
/// policy: the policy reads only their data, so a test can be a worker on its own thread.

#include "caf/resumable.hpp"
#include "et/actors/detail/handoff_policy.hpp"

namespace et::test {

/// A job the policy only passes around by pointer.
struct job : caf::resumable {
  resume_result resume(caf::execution_unit*, size_t) override { return done; }
  void intrusive_ptr_add_ref_impl() override {}
  void intrusive_ptr_release_impl() override {}
};

/// The coordinator's part the policy uses: its shared data.
struct coordinator {
  et::actors::detail::handoff_policy::coordinator_data shared{nullptr};
  et::actors::detail::handoff_policy::coordinator_data& data() { return shared; }
};

/// A worker: its own data and its coordinator.
struct worker {
  coordinator* owner;
  et::actors::detail::handoff_policy::worker_data mine{nullptr};
  et::actors::detail::handoff_policy::worker_data& data() { return mine; }
  coordinator* parent() { return owner; }
};

} // namespace et::test
