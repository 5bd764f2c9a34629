// The result file of one shard of a split search (`mmcheck run ... --shard i/n`),
// and reading a set of them back for `mmcheck merge`: what was asked (scenario,
// variant, search, split depth), the partition, and each subtree the shard ran with
// its own counts and failing schedule, so that the merge recomputes the totals and
// the first violation exactly as one run over every subtree would.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "checker/core/run.h"

namespace mmcheck {

struct shard_file {
    std::string scenario;
    std::string variant;
    std::string search;
    double time_budget_seconds = 0;
    bool out_of_time = false;
    double seconds = 0;
    split_summary split;
};

shard_file make_shard_file(const run_options& options, const run_result& result);
void write_shard_file(std::ostream& out, const shard_file& shard);

// Reads one file; throws usage_error naming the file and what is wrong with it.
shard_file read_shard_file(const std::string& path);

// Checks that the shards are the n parts of one search, each given once, and joins
// their subtrees into one summary (shard 0 of 1). Throws usage_error otherwise.
shard_file merge_shards(const std::vector<std::pair<std::string, shard_file>>& shards);

}  // namespace mmcheck
