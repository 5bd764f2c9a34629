// Run results as JSON, for CI and scripts: one document with every variant's
// outcome, its violation, trace and reproduce line. Field names are stable.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "reports/outcome.h"

namespace mmcheck {

nlohmann::json stats_json(const search_stats& stats);
nlohmann::json outcome_json(const variant_outcome& outcome);

// {"all_as_declared": bool, "outcomes": [...]}
void write_json_report(std::ostream& out, const outcome_list& outcomes);

}  // namespace mmcheck
