// The in-house engine's entry point: makes the strategy the options ask for, runs
// executions until it says the search is over (or a violation, or the time budget),
// then replays the failing execution with tracing on and checks that it fails the
// same way (a different outcome means model code is nondeterministic outside the
// seam). Explore fast, then replay with history, as Relacy does.
#include <chrono>
#include <cstdio>

#include "checker/core/run.h"
#include "checker/mc/runtime.h"
#include "checker/mc/schedule_codec.h"
#include "checker/mc/strategy.h"
#include "scenarios/body.h"

MMCHECK_ENGINE_BEGIN

namespace {

using clock_type = std::chrono::steady_clock;
constexpr std::uint64_t max_steps_per_execution = 200000;

double since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

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

struct search_stats {
    std::uint64_t executions = 0;  // complete (or failing) executions the search counts
    std::uint64_t runs = 0;        // every execution started, counted or not
    std::uint64_t abandoned = 0;   // sleep-set blocked
    std::size_t max_depth = 0;
    bool out_of_time = false;
};

// Runs executions until the strategy is done, a violation is found or time runs out;
// returns the failing schedule, if any.
std::optional<std::vector<mc::decision>> explore(mc::strategy& s, const mc::runtime::setup& what,
                                                 const run_options& options, search_stats& stats) {
    mc::runtime rt;
    kernel::detail::execution exec;
    const auto start = clock_type::now();
    auto last_progress = start;
    while (s.begin_execution()) {
        const mc::execution_end end = rt.run(s, what, exec);
        ++stats.runs;
        stats.max_depth = std::max(stats.max_depth, rt.log().events.size());
        if (end == mc::execution_end::violation) {
            ++stats.executions;
            return rt.decisions();
        }
        s.end_execution(rt.log(), end);
        if (end == mc::execution_end::abandoned) ++stats.abandoned;
        if (end == mc::execution_end::complete && s.counts()) ++stats.executions;
        if ((stats.runs & 255) != 0) continue;
        if (options.progress && clock_type::now() - last_progress > std::chrono::seconds(5)) {
            last_progress = clock_type::now();
            std::fprintf(stderr, "progress: %llu executions (%llu abandoned), %.0f s, %.0f executions/s\n",
                         static_cast<unsigned long long>(stats.executions),
                         static_cast<unsigned long long>(stats.abandoned), since(start),
                         static_cast<double>(stats.runs) / since(start));
        }
        if (options.time_budget_seconds > 0 && since(start) > options.time_budget_seconds) {
            stats.out_of_time = true;
            break;
        }
    }
    return std::nullopt;
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

std::string stats_note(const search_stats& stats, double seconds) {
    char text[240];
    std::snprintf(text, sizeof text,
                  "mc: %llu executions run (%llu abandoned as redundant), max depth %zu steps, %.3f s, %.0f executions/s",
                  static_cast<unsigned long long>(stats.runs), static_cast<unsigned long long>(stats.abandoned),
                  stats.max_depth, seconds, seconds > 0 ? static_cast<double>(stats.runs) / seconds : 0.0);
    return text;
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
    std::unique_ptr<mc::strategy> s;
    if (options.schedule) {
        std::vector<mc::decision> decisions;
        if (auto error = mc::decode_schedule(*options.schedule, decisions)) throw usage_error("malformed mc schedule: " + *error);
        failing = std::move(decisions);
        stats.executions = stats.runs = 1;
        result.bound = "one execution, replayed from its schedule";
    } else {
        s = make_strategy(options, scenario);
        failing = explore(*s, what, options, stats);
        result.bound = s->bound();
        result.exhaustive = s->exhaustive() && !failing && !stats.out_of_time;
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
    } else if (stats.out_of_time) {
        result.outcome = verdict::incomplete;
        result.notes.push_back("time budget of " + std::to_string(static_cast<int>(options.time_budget_seconds)) +
                               " s ran out before the search finished; raise --time-budget or use --search bounded");
    }
    result.executions = stats.executions;
    result.seconds = since(start);
    if (s) s->add_notes(result.notes);
    result.notes.push_back(stats_note(stats, result.seconds));
    return result;
}

MMCHECK_ENGINE_END
