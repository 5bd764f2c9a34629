// The in-house engine's entry point: makes the strategy the options ask for, runs
// executions until it says the search is over (or a violation, or the time budget),
// then replays the failing execution with tracing on and checks that it fails the
// same way (a different outcome means model code is nondeterministic outside the
// seam). Explore fast, then replay with history, as Relacy does.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "checker/core/run.h"
#include "checker/mc/explore.h"
#include "checker/mc/runtime.h"
#include "checker/mc/schedule_codec.h"
#include "checker/mc/split_search.h"
#include "checker/mc/strategy.h"
#include "scenarios/body.h"

MMCHECK_ENGINE_BEGIN

namespace {

using mc::clock_type;
constexpr std::uint64_t max_steps_per_execution = 200000;

std::unique_ptr<mc::strategy> make_strategy(const run_options& options, const scenario_info& scenario) {
    const std::uint64_t iterations = options.iterations ? options.iterations : scenario.bounds.random_iterations;
    switch (*options.search) {
        case search_kind::dfs: return mc::make_dfs();
        case search_kind::bounded: return mc::make_bounded(*options.preemptions);
        case search_kind::pct: return mc::make_pct(options.seed, options.pct_depth, iterations);
        case search_kind::random: return mc::make_random(options.seed, iterations);
        default: return mc::make_dpor();
    }
}

mc::split_request split_request_of(const run_options& options) {
    if (*options.search != search_kind::dpor && *options.search != search_kind::dfs)
        throw usage_error("--jobs, --split-depth and --shard split an exhaustive search: use them with "
                          "--search dpor or dfs, not " + std::string(search_name(*options.search)));
    mc::split_request r;
    r.dpor = *options.search == search_kind::dpor;
    r.depth = options.split_depth;
    r.jobs = std::max(options.jobs, 1u);
    r.shard_count = std::max(options.shard_count, 1u);
    r.shard_index = options.shard_index;
    if (r.shard_index >= r.shard_count)
        throw usage_error("--shard " + std::to_string(r.shard_index) + "/" + std::to_string(r.shard_count) +
                          ": the shard index counts from 0 and must be below the shard count");
    r.time_budget_seconds = options.time_budget_seconds;
    r.progress = options.progress;
    return r;
}

std::string split_note(const split_summary& s) {
    std::string note = "split search: " + std::to_string(s.subtrees) + " subtrees below " + std::to_string(s.depth) +
                       " scheduling decisions (found in " + std::to_string(s.prefix_runs) + " prefix runs), " +
                       std::to_string(s.jobs) + " job" + (s.jobs == 1 ? "" : "s");
    if (s.shard_count > 1)
        note += ", shard " + std::to_string(s.shard_index) + "/" + std::to_string(s.shard_count) + " (" +
                std::to_string(s.results.size()) + " subtrees run)";
    return note;
}

// Runs one schedule with tracing on into `exec`.
void replay_traced(const std::vector<mc::decision>& decisions, mc::runtime::setup what,
                   kernel::detail::execution& exec, std::vector<std::string>& notes) {
    auto replay = mc::make_replay(decisions);
    mc::runtime rt;
    what.tracing = true;
    replay->begin_execution();
    const mc::execution_end end = rt.run(*replay, what, exec);
    replay->end_execution(rt.log(), end);
    replay->add_notes(notes);
}

}  // namespace

run_result run_scenario(const run_options& options, const scenario_info& scenario, const variant_info& variant) {
    if (scenario.threads > mc::max_threads)
        throw usage_error("scenario '" + scenario.name + "' has " + std::to_string(scenario.threads) +
                          " threads; the mc engine runs at most " + std::to_string(mc::max_threads));
    run_result result;
    const mc::runtime::setup what{find_scenario_body(scenario.name), &variant, scenario.threads, false,
                                  max_steps_per_execution};
    const auto start = clock_type::now();
    std::optional<std::vector<mc::decision>> failing;
    search_stats stats;
    bool out_of_time = false;
    std::unique_ptr<mc::strategy> s;
    if (options.schedule) {
        std::vector<mc::decision> decisions;
        if (auto error = mc::decode_schedule(*options.schedule, decisions)) throw usage_error("malformed mc schedule: " + *error);
        failing = std::move(decisions);
        stats.executions = stats.runs = 1;
        result.bound = "one execution, replayed from its schedule";
    } else if (options.split()) {
        mc::split_outcome split = mc::run_split(what, split_request_of(options));
        failing = std::move(split.failing);
        out_of_time = split.out_of_time;
        stats = split_totals(split.summary, mc::seconds_since(start));
        result.bound = make_strategy(options, scenario)->bound();
        result.exhaustive = !failing && !out_of_time && split_complete(split.summary);
        result.notes.push_back(split_note(split.summary));
        result.split = std::move(split.summary);
    } else {
        s = make_strategy(options, scenario);
        mc::explore_control control;
        control.start = start;
        control.time_budget_seconds = options.time_budget_seconds;
        control.progress = options.progress;
        mc::runtime rt;
        mc::explore_result explored = mc::explore(*s, rt, what, control);
        failing = std::move(explored.failing);
        stats = explored.stats;
        out_of_time = explored.out_of_time;
        result.bound = s->bound();
        result.exhaustive = s->exhaustive() && !failing && !out_of_time;
    }
    if (failing) {
        kernel::detail::execution exec;
        replay_traced(*failing, what, exec, result.notes);
        result.outcome = verdict::violation;
        result.schedule = mc::encode_schedule(*failing);
        result.trace = kernel::detail::format_trace(exec);
        if (exec.violation) {
            result.violation = *exec.violation;
        } else {
            result.outcome = options.schedule ? verdict::pass : verdict::violation;
            if (!options.schedule) {
                violation_report r;
                r.kind = violation_kind::internal_error;
                r.message = "the failing execution did not fail when replayed with tracing: the model is "
                            "nondeterministic outside the seam (internal checker error)";
                result.violation = r;
            }
        }
    } else if (out_of_time) {
        result.outcome = verdict::incomplete;
        result.notes.push_back("time budget of " + std::to_string(static_cast<int>(options.time_budget_seconds)) +
                               " s ran out before the search finished; raise --time-budget or use --search bounded");
    }
    result.executions = stats.executions;
    result.seconds = mc::seconds_since(start);
    stats.seconds = result.seconds;
    result.stats = stats;
    if (s) s->add_notes(result.notes);
    return result;
}

MMCHECK_ENGINE_END
