// What a search of the mc engine explored, as report data: the counts every run
// prints, and for a split search (--jobs, --shard) the partition and each subtree's
// own counts, from which the totals are recomputed the same way by the run and by
// `mmcheck merge`. Nothing here prints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mmcheck {

struct search_stats {
    std::uint64_t executions = 0;  // complete executions the search counts (a failing one included)
    std::uint64_t runs = 0;        // every execution started, counted or not
    std::uint64_t redundant = 0;   // abandoned as sleep-set blocked (DPOR)
    std::uint64_t max_depth = 0;   // steps of the longest execution
    double seconds = 0;            // wall time
    double rate() const { return seconds > 0 ? static_cast<double>(runs) / seconds : 0.0; }
    void add(const search_stats& other);  // sums the counts, keeps the larger depth and time
};

// One subtree of a split search: the executions below one prefix of the partition.
struct subtree_result {
    std::size_t index = 0;
    search_stats stats;
    bool finished = false;  // explored to its end or to its violation
    std::string schedule;   // the failing execution's schedule; empty when none failed
};

struct split_summary {
    unsigned depth = 0;            // scheduling decisions in each prefix
    std::size_t subtrees = 0;      // prefixes in the whole partition
    std::uint64_t prefix_runs = 0; // executions run to enumerate the prefixes
    unsigned jobs = 1;
    unsigned shard_index = 0;      // this run explored subtrees index % shard_count == shard_index
    unsigned shard_count = 1;
    std::vector<subtree_result> results;  // the subtrees explored, by index
};

// The lowest-indexed subtree with a violation, if any.
const subtree_result* first_violation(const split_summary& split);

// The totals a deterministic run reports: every subtree below the first violating
// one and that one; the time is the summary's wall time, given separately.
search_stats split_totals(const split_summary& split, double seconds);

// Whether every subtree the summary is responsible for was explored to its end
// (or up to the first violation).
bool split_complete(const split_summary& split);

}  // namespace mmcheck
