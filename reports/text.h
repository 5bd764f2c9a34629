// Writes run results for people.
#pragma once

#include <ostream>

#include "checker/core/run.h"
#include "scenarios/catalog/catalog.h"

namespace mmcheck {

// "218 complete executions, 230 runs (12 sleep-set redundant), max depth 55 steps, ..."
std::string stats_text(const search_stats& stats);

// The one line that re-runs exactly the failing execution.
std::string reproduce_command(const run_options& options, const run_result& result);

void write_text_report(std::ostream& out, const run_options& options, const scenario_info& scenario,
                       const variant_info& variant, const run_result& result);

void write_trace(std::ostream& out, const std::vector<trace_step>& trace);

}  // namespace mmcheck
