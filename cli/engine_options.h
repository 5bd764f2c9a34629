// Options that choose and bound an engine, shared by `run` and `replay`. What the
// user does not give stays unset, so the scenario's declared bounds apply.
#pragma once

#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "checker/core/run.h"

namespace mmcheck::cli {

struct engine_settings {
    engine_kind engine = default_engine;
    search_kind search = search_kind::bounded;
    unsigned preemptions = 2;
    CLI::Option* engine_option = nullptr;
    CLI::Option* search_option = nullptr;
    CLI::Option* preemptions_option = nullptr;

    bool engine_given() const { return engine_option != nullptr && engine_option->count() > 0; }
    // Copies the settings into `options`, leaving unset what the user did not give.
    void apply(run_options& options) const {
        options.engine = engine;
        if (search_option != nullptr && search_option->count() > 0) options.search = search;
        if (preemptions_option != nullptr && preemptions_option->count() > 0) options.preemptions = preemptions;
    }
};

inline void add_engine_option(CLI::App* cmd, engine_settings& settings) {
    static const std::map<std::string, engine_kind> engines{
        {"relacy", engine_kind::relacy}, {"native", engine_kind::native}, {"mc", engine_kind::mc}};
    settings.engine_option =
        cmd->add_option("--engine", settings.engine,
                        "Engine: mc (in-house DPOR; the default when built), relacy (Relacy Race Detector), "
                        "native (real threads, stress; the TSan build). replay: the schedule's own by default")
            ->transform(CLI::CheckedTransformer(engines, CLI::ignore_case));
}

inline void add_search_options(CLI::App* cmd, engine_settings& settings, run_options& options) {
    static const std::map<std::string, search_kind> searches{
        {"full", search_kind::full}, {"bounded", search_kind::bounded}, {"random", search_kind::random},
        {"dpor", search_kind::dpor}, {"dfs", search_kind::dfs},         {"pct", search_kind::pct}};
    settings.search_option =
        cmd->add_option("--search", settings.search,
                        "mc: dpor (default), dfs, bounded (preemption bound), pct, random; "
                        "relacy: full (every interleaving), bounded (context bound; the scenario's default), random")
            ->transform(CLI::CheckedTransformer(searches, CLI::ignore_case));
    settings.preemptions_option = cmd->add_option(
        "--preemptions", settings.preemptions, "Preemption/context bound for --search bounded (default: the scenario's)");
    cmd->add_option("--iterations", options.iterations,
                    "Executions for random search or native stress (default: the scenario's bound)");
    cmd->add_option("--seed", options.seed, "Seed for random search, PCT and native stress")->default_val(1);
    cmd->add_option("--time-budget", options.time_budget_seconds,
                    "Stop after this many seconds and report the run incomplete (default: the scenario's)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--progress", options.progress, "Print a progress line to stderr every few seconds");
}

}  // namespace mmcheck::cli
