#include "checker/mc/explore.h"

#include <algorithm>
#include <cstdio>

#include "checker/core/interrupt.h"

namespace mmcheck::mc {

namespace {

void print_progress(const search_stats& stats, double elapsed, double fraction) {
    char estimate[160] = "";
    if (fraction > 0)
        std::snprintf(estimate, sizeof estimate,
                      "; about %.1f%% of the tree done (left of the current path), about %.0f s left", 100 * fraction,
                      elapsed * (1 - fraction) / fraction);
    std::fprintf(stderr,
                 "progress: %llu executions (%llu sleep-set redundant), max depth %llu, %.0f s, %.0f executions/s%s\n",
                 static_cast<unsigned long long>(stats.executions), static_cast<unsigned long long>(stats.redundant),
                 static_cast<unsigned long long>(stats.max_depth), elapsed,
                 elapsed > 0 ? static_cast<double>(stats.runs) / elapsed : 0.0, estimate);
}

}  // namespace

explore_result explore(strategy& s, runtime& rt, const runtime::setup& what, const explore_control& control) {
    explore_result out;
    search_stats& stats = out.stats;
    kernel::detail::execution exec;
    const auto started = clock_type::now();
    auto last_progress = started;
    while (s.begin_execution()) {
        const execution_end end = rt.run(s, what, exec);
        ++stats.runs;
        stats.max_depth = std::max<std::uint64_t>(stats.max_depth, rt.log().events.size());
        if (end == execution_end::violation) {
            ++stats.executions;
            out.failing = rt.decisions();
            break;
        }
        s.end_execution(rt.log(), end);
        if (end == execution_end::abandoned) ++stats.redundant;
        if (end == execution_end::complete && s.counts()) ++stats.executions;
        if ((stats.runs & 255) != 0) continue;
        if (control.first_failing != nullptr && control.first_failing->load() < control.subtree) {
            out.cut_short = true;
            break;
        }
        if (control.progress && clock_type::now() - last_progress > std::chrono::seconds(5)) {
            last_progress = clock_type::now();
            print_progress(stats, seconds_since(started), s.fraction_done());
        }
        if ((control.time_budget_seconds > 0 && seconds_since(control.start) > control.time_budget_seconds) ||
            interrupt_signal() != 0) {
            out.out_of_time = true;  // the budget, or a user's: the same unfinished search
            break;
        }
    }
    stats.seconds = seconds_since(started);
    return out;
}

}  // namespace mmcheck::mc
