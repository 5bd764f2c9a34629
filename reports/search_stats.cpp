#include "reports/search_stats.h"

#include <algorithm>

namespace mmcheck {

void search_stats::add(const search_stats& other) {
    executions += other.executions;
    runs += other.runs;
    redundant += other.redundant;
    max_depth = std::max(max_depth, other.max_depth);
    seconds = std::max(seconds, other.seconds);
}

const subtree_result* first_violation(const split_summary& split) {
    for (const subtree_result& r : split.results)
        if (!r.schedule.empty()) return &r;
    return nullptr;
}

search_stats split_totals(const split_summary& split, double seconds) {
    search_stats total;
    const subtree_result* failing = first_violation(split);
    for (const subtree_result& r : split.results) {
        if (failing != nullptr && r.index > failing->index) break;
        total.add(r.stats);
    }
    total.seconds = seconds;
    return total;
}

bool split_complete(const split_summary& split) {
    const subtree_result* failing = first_violation(split);
    std::size_t expected = split.shard_index;
    for (const subtree_result& r : split.results) {
        if (failing != nullptr && r.index > failing->index) break;
        if (r.index != expected || !r.finished) return false;
        expected += split.shard_count;
    }
    return failing != nullptr || expected >= split.subtrees;
}

}  // namespace mmcheck
