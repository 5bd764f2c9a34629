// Running a scenario on the mc engine from a test.
#pragma once

#include <string>

#include "checker/core/run.h"

namespace mmcheck::mc_test {

inline run_result run_mc(const std::string& scenario, search_kind search, std::uint64_t seed = 1,
                         std::uint64_t iterations = 0) {
    run_options o;
    o.scenario = scenario;
    o.variant = "default";
    o.engine = engine_kind::mc;
    o.search = search;
    o.seed = seed;
    o.iterations = iterations;
    o.time_budget_seconds = 120;
    return run(o);
}

inline std::string kind_of(const run_result& r) {
    if (r.outcome == verdict::pass) return "pass";
    if (r.outcome == verdict::incomplete) return "incomplete";
    return r.violation ? std::string(violation_name(r.violation->kind)) : "violation?";
}

}  // namespace mmcheck::mc_test
