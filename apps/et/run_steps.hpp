#pragma once
/// Internal to `et run`: the steps of one pool-mode run, talking to the role
/// actors from the command's thread through a scoped actor. The record is the
/// run as the journal tells it, kept in step with every journal write; the view
/// draws from it.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "caf/scoped_actor.hpp"
#include "et/actors/interfaces.hpp"
#include "et/cost/prices.hpp"
#include "et/run_pipeline.hpp"
#include "et/run_view.hpp"
#include "et/runtime.hpp"
#include "et/workspace/command.hpp"
#include "et/workspace/files.hpp"

namespace et::app {

/// One run's steps and what they share.
class run_steps {
public:
  /// Prepares a run; nothing is sent until run_all().
  run_steps(context& ctx, std::shared_ptr<config::settings> settings, run_options opts,
            store::run_record& record, store::journal_writer& journal, role_runtime& runtime,
            caf::scoped_actor& self);

  /// Every step in order; returns the exit code.
  int run_all();

private:
  // Steps (run_steps.cpp).
  bool decompose();
  void synthesize();
  void refine();
  int finish();

  // Execution, files and verification (run_execute.cpp).
  void execute(std::vector<roles::job> jobs);
  void on_progress(const roles::progress& p);
  void on_finished(const roles::subtask_outcome& o);
  void write_files(store::subtask_record& rec);
  void verify_loop();
  workspace::command_spec verify_spec();
  std::vector<roles::job> fixes_for(const store::verify_record& v);
  roles::execution execution_of(std::vector<roles::job> jobs) const;

  // Shared helpers (run_steps.cpp).
  template <class T, class Handle, class... Ts>
  std::optional<T> ask(const char* what, const Handle& who, Ts&&... xs);
  bool stop_requested();
  void begin_phase(const std::string& name);
  void end_phase();
  void note(const std::string& line, bool warn = false);
  void took(store::fallback_record f, const std::string& who);
  void take_reported_fallbacks();
  void jot(const result<void>& written);
  std::string raw_results() const;
  std::string label(int number) const;
  bool view_is_live() const { return view_.live(); }

  context& ctx_;
  std::shared_ptr<config::settings> settings_;
  run_options opts_;
  store::run_record& record_;
  store::journal_writer& journal_;
  role_runtime& runtime_;
  caf::scoped_actor& self_;
  run_view view_;
  std::map<int, live_figures> live_;
  std::optional<workspace::output_dir> output_;
  std::string phase_;
  std::chrono::steady_clock::time_point phase_start_;
  std::chrono::steady_clock::time_point deadline_;
  bool interrupted_ = false;
  bool timed_out_ = false;
  bool journal_failed_ = false;
  bool withheld_noted_ = false;
  actors::mayor_actor mayor_;
  actors::pool_actor pool_;
  std::map<int, int> review_rounds_;
  bool pool_has_witness_ = false;
};

} // namespace et::app
