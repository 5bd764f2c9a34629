// Options that choose and bound an engine, shared by `run` and `replay`.
#pragma once

#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "checker/core/run.h"

namespace mmcheck::cli {

inline void add_engine_option(CLI::App* cmd, run_options& options) {
    static const std::map<std::string, engine_kind> engines{
        {"relacy", engine_kind::relacy}, {"native", engine_kind::native}, {"mc", engine_kind::mc}};
    cmd->add_option("--engine", options.engine, "Engine: relacy (systematic), native (real threads, stress), mc (in-house)")
        ->transform(CLI::CheckedTransformer(engines, CLI::ignore_case))
        ->default_str("relacy");
}

inline void add_search_options(CLI::App* cmd, run_options& options) {
    static const std::map<std::string, search_kind> searches{
        {"full", search_kind::full}, {"bounded", search_kind::bounded}, {"random", search_kind::random},
        {"dpor", search_kind::dpor}, {"dfs", search_kind::dfs},         {"pct", search_kind::pct}};
    cmd->add_option("--search", options.search,
                    "Search: full (every interleaving), bounded (preemption bound), random; mc also: dpor, dfs, pct")
        ->transform(CLI::CheckedTransformer(searches, CLI::ignore_case))
        ->default_str("full");
    cmd->add_option("--preemptions", options.preemptions, "Preemption/context bound for --search bounded")
        ->default_val(2);
    cmd->add_option("--iterations", options.iterations,
                    "Executions for random search or native stress (default: the scenario's bound)");
    cmd->add_option("--seed", options.seed, "Seed for random search, PCT and native stress")->default_val(1);
    cmd->add_option("--time-budget", options.time_budget_seconds, "Stop after this many seconds (0: no limit)")
        ->check(CLI::NonNegativeNumber);
}

}  // namespace mmcheck::cli
