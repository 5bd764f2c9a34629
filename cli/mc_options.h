// Options of the in-house engine's searches, shared by `run` and `suite`: PCT's
// depth, and the split search (--jobs, --split-depth; --shard is run's alone).
#pragma once

#include <CLI/CLI.hpp>

#include "checker/core/run.h"

namespace mmcheck::cli {

inline void add_mc_options(CLI::App* cmd, run_options& options) {
    cmd->add_option("--pct-depth", options.pct_depth,
                    "mc --search pct: the bug depth d PCT targets (d-1 priority change points; default 3)")
        ->check(CLI::Range(1u, 64u));
    cmd->add_option("--jobs", options.jobs,
                    "mc --search dpor|dfs: split the search into subtrees run by N worker threads; the verdict and "
                    "counts are the same for every N (a split search's counts can exceed the plain search's)")
        ->check(CLI::Range(1u, 256u));
    cmd->add_option("--split-depth", options.split_depth,
                    "Scheduling decisions above the split (default: the smallest giving at least 64 subtrees)")
        ->check(CLI::Range(1u, 64u));
}

// "i/n" with 0 <= i < n: the shard this run explores.
inline void add_shard_option(CLI::App* cmd, run_options& options) {
    cmd->add_option_function<std::string>(
           "--shard",
           [&options](const std::string& text) {
               unsigned i = 0, n = 0;
               char slash = 0, rest = 0;
               if (std::sscanf(text.c_str(), "%u%c%u%c", &i, &slash, &n, &rest) != 3 || slash != '/' || n == 0 ||
                   i >= n)
                   throw CLI::ValidationError("--shard", "'" + text + "' is not i/n with 0 <= i < n (e.g. 0/4)");
               options.shard_index = i;
               options.shard_count = n;
           },
           "mc: run only shard i/n (0 <= i < n) of the split search and write its result file for `mmcheck merge`")
        ->type_name("i/n");
}

}  // namespace mmcheck::cli
