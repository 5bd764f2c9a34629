// The exploration loop shared by the plain search and each subtree of a split one:
// run executions on one runtime until the strategy is done, an execution fails, the
// time budget runs out, or (split search) a lower-indexed subtree has failed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "checker/mc/runtime.h"
#include "checker/mc/strategy.h"
#include "reports/search_stats.h"

namespace mmcheck::mc {

using clock_type = std::chrono::steady_clock;

inline double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

struct explore_control {
    clock_type::time_point start = clock_type::now();
    double time_budget_seconds = 0;  // 0: none
    bool progress = false;           // a progress line on stderr every few seconds
    // Split search: give up on subtree `subtree` once a lower one has failed.
    const std::atomic<std::size_t>* first_failing = nullptr;
    std::size_t subtree = 0;
};

struct explore_result {
    search_stats stats;
    std::optional<std::vector<decision>> failing;
    bool out_of_time = false;
    bool cut_short = false;  // a lower subtree failed first
};

explore_result explore(strategy& s, runtime& rt, const runtime::setup& what, const explore_control& control);

}  // namespace mmcheck::mc
