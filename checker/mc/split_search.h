// A split search (split.h) run by worker threads, each with its own runtime and
// fibers (the model reaches its execution through one thread-local at the seam
// hook, so workers share nothing but the read-only scenario catalog). Workers take
// subtrees in index order; the result keeps, per subtree, its own counts, and the
// first violation is the one of the lowest-indexed subtree that fails: workers stop
// taking subtrees above a failed one but finish those below it, so the verdict, the
// counts and the reported schedule are the same for any number of jobs.
// A shard i/n runs only the subtrees whose index is i modulo n.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checker/mc/explore.h"
#include "checker/mc/runtime.h"
#include "reports/search_stats.h"

namespace mmcheck::mc {

struct split_request {
    bool dpor = true;  // else DFS
    unsigned depth = 0;
    unsigned jobs = 1;
    unsigned shard_index = 0;
    unsigned shard_count = 1;
    double time_budget_seconds = 0;
    bool progress = false;
};

struct split_outcome {
    split_summary summary;
    std::optional<std::vector<decision>> failing;
    bool out_of_time = false;
};

split_outcome run_split(const runtime::setup& what, const split_request& request);

}  // namespace mmcheck::mc
