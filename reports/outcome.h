// One scenario variant's run as the machine-readable writers (JSON, JUnit) see it:
// what was asked, what was declared, what was found.
#pragma once

#include <vector>

#include "checker/core/run.h"
#include "scenarios/catalog/catalog.h"

namespace mmcheck {

struct variant_outcome {
    run_options options;  // as run: scenario, variant, engine, search
    const scenario_info* scenario = nullptr;
    const variant_info* variant = nullptr;
    run_result result;
};

using outcome_list = std::vector<variant_outcome>;

}  // namespace mmcheck
