// What a run is asked to do and what it found: engine-independent data shared by
// the CLI, the engines and the report writers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/report.h"
#include "reports/search_stats.h"
#include "scenarios/catalog/catalog.h"

namespace mmcheck {

enum class engine_kind { relacy, native, mc };
// full: every interleaving (Relacy full search); bounded: preemption/context bound;
// random: seeded random schedules; dpor, dfs, pct: the in-house engine's.
enum class search_kind { full, bounded, random, dpor, dfs, pct };

std::string_view engine_name(engine_kind engine);
std::optional<engine_kind> parse_engine(std::string_view name);
// The engine a schedule belongs to, from its "ENGINE:" prefix ("mc:a3b2", "relacy:...").
std::optional<engine_kind> engine_of_schedule(std::string_view schedule);
std::string_view search_name(search_kind search);
std::optional<search_kind> parse_search(std::string_view name);

// The in-house engine once it is built (it agrees with Relacy on every scenario and
// exhausts them with DPOR); Relacy otherwise.
#ifdef MMCHECK_HAVE_ENGINE_mc
inline constexpr engine_kind default_engine = engine_kind::mc;
#else
inline constexpr engine_kind default_engine = engine_kind::relacy;
#endif

struct run_options {
    std::string scenario;
    std::string variant;
    engine_kind engine = default_engine;
    // Unset: the scenario's declared bounds (scenario_info::bounds) for this engine.
    std::optional<search_kind> search;
    std::optional<unsigned> preemptions;
    std::uint64_t iterations = 0;  // 0: the scenario's declared bound
    std::uint64_t seed = 1;
    unsigned pct_depth = 3;
    double time_budget_seconds = 0;  // 0: none
    std::optional<std::string> schedule;  // replay exactly this execution
    bool progress = false;
    // mc split search (checker/mc/split.h): set by --jobs, --split-depth or --shard.
    // jobs 0 is the plain, unsplit search; the counts of a split search do not
    // depend on the number of jobs.
    unsigned jobs = 0;
    unsigned split_depth = 0;  // 0: the smallest depth giving enough subtrees
    unsigned shard_index = 0;
    unsigned shard_count = 0;  // 0: no sharding
    bool split() const { return jobs > 0 || split_depth > 0 || shard_count > 0; }
};

enum class verdict { pass, violation, incomplete };

struct run_result {
    verdict outcome = verdict::pass;
    std::optional<violation_report> violation;
    std::vector<trace_step> trace;  // the failing execution, when there is one
    std::uint64_t executions = 0;
    double seconds = 0;
    bool exhaustive = false;  // the search covered every execution within `bound`
    std::string bound;        // what was explored, for people ("full search", ...)
    std::string schedule;     // replays the failing execution; empty on pass
    std::vector<std::string> notes;
    std::optional<search_stats> stats;  // the mc engine's counts
    std::optional<split_summary> split; // a split search's partition and subtrees
};

}  // namespace mmcheck

#include <stdexcept>

namespace mmcheck {

// Bad input from the user (unknown scenario or variant, malformed schedule or
// number): the CLI prints the message, which says what to do, and exits 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Runs one scenario variant on the chosen engine. Throws usage_error.
run_result run(const run_options& options);

// Whether a result is the outcome the variant declares.
bool as_expected(const variant_info& variant, const run_result& result);

}  // namespace mmcheck
