// The in-house engine's entry point: makes the strategy the options ask for, runs
// executions until it says the search is over (or a violation, or the time budget),
// then replays the failing execution with tracing on and checks that it fails the
// same way (a different outcome means model code is nondeterministic outside the
// seam). Explore fast, then replay with history, as Relacy does.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "checker/core/interrupt.h"
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

// What a search found, whichever way it ran.
struct search_outcome {
    std::optional<std::vector<mc::decision>> failing;
    search_stats stats;
    bool out_of_time = false;
};

search_outcome search_split(const run_options& options, const scenario_info& scenario, const mc::runtime::setup& what,
                            mc::clock_type::time_point start, run_result& result) {
    mc::split_outcome split = mc::run_split(what, split_request_of(options));
    search_outcome out{std::move(split.failing), split_totals(split.summary, mc::seconds_since(start)),
                       split.out_of_time};
    result.bound = make_strategy(options, scenario)->bound();
    result.exhaustive = !out.failing && !out.out_of_time && split_complete(split.summary);
    result.notes.push_back(split_note(split.summary));
    result.split = std::move(split.summary);
    return out;
}

search_outcome search_plain(mc::strategy& s, const run_options& options, const mc::runtime::setup& what,
                            mc::clock_type::time_point start, run_result& result) {
    mc::explore_control control;
    control.start = start;
    control.time_budget_seconds = options.time_budget_seconds;
    control.progress = options.progress;
    mc::runtime rt;
    mc::explore_result explored = mc::explore(s, rt, what, control);
    result.bound = s.bound();
    result.exhaustive = s.exhaustive() && !explored.failing && !explored.out_of_time;
    return {std::move(explored.failing), explored.stats, explored.out_of_time};
}

// The failing execution replayed with tracing into the result.
void report_failure(const std::vector<mc::decision>& failing, const mc::runtime::setup& what, bool replaying,
                    run_result& result) {
    kernel::detail::execution exec;
    replay_traced(failing, what, exec, result.notes);
    result.outcome = verdict::violation;
    result.schedule = mc::encode_schedule(failing);
    result.trace = kernel::detail::format_trace(exec);
    if (exec.violation) {
        result.violation = *exec.violation;
        return;
    }
    result.outcome = replaying ? verdict::pass : verdict::violation;
    if (replaying) return;
    violation_report r;
    r.kind = violation_kind::internal_error;
    r.message = "the failing execution did not fail when replayed with tracing: the model is "
                "nondeterministic outside the seam (internal checker error)";
    result.violation = r;
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
    search_outcome found;
    std::unique_ptr<mc::strategy> s;
    if (options.schedule) {
        std::vector<mc::decision> decisions;
        if (auto error = mc::decode_schedule(*options.schedule, decisions)) throw usage_error("malformed mc schedule: " + *error);
        found.failing = std::move(decisions);
        found.stats.executions = found.stats.runs = 1;
        result.bound = "one execution, replayed from its schedule";
    } else if (options.split()) {
        found = search_split(options, scenario, what, start, result);
    } else {
        s = make_strategy(options, scenario);
        found = search_plain(*s, options, what, start, result);
    }
    if (found.failing) {
        report_failure(*found.failing, what, options.schedule.has_value(), result);
    } else if (found.out_of_time) {
        result.outcome = verdict::incomplete;
        result.notes.push_back(unfinished_search_note(options.time_budget_seconds,
                                                      "raise --time-budget or use --search bounded"));
    }
    result.executions = found.stats.executions;
    result.seconds = mc::seconds_since(start);
    found.stats.seconds = result.seconds;
    result.stats = found.stats;
    if (s) s->add_notes(result.notes);
    return result;
}

MMCHECK_ENGINE_END
