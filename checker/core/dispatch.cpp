// Validates a run request and hands it to the engine the user chose.
#include <string>

#include "checker/core/run.h"
#include "checker/engine.h"
#include "checker/mc/schedule_codec.h"
#include "scenarios/format/scenario_files.h"

namespace mmcheck {

namespace {

std::string known_variants(const scenario_info& s) {
    std::string out;
    for (const auto& v : s.variants) out += (out.empty() ? "" : ", ") + v.name;
    return out;
}

void check_schedule(const run_options& options) {
    const std::string& s = *options.schedule;
    const std::string prefix = std::string(engine_name(options.engine)) + ":";
    if (s.rfind(prefix, 0) != 0)
        throw usage_error("schedule '" + s.substr(0, 40) + "' is not a schedule of engine '" +
                          std::string(engine_name(options.engine)) +
                          "'; pass the --engine named at its start, or copy the whole line mmcheck printed");
    if (options.engine == engine_kind::native)
        throw usage_error("native runs cannot be replayed; rerun with --engine relacy or mc");
    if (options.engine == engine_kind::relacy) {
        // relacy:<search>:<bound>:<iteration> <scheduler state>
        std::size_t colon = 0;
        for (int field = 0; field < 3; ++field) {
            colon = s.find(':', colon);
            if (colon == std::string::npos)
                throw usage_error("malformed relacy schedule: expected relacy:<search>:<bound>:<state>");
            ++colon;
        }
        const std::string state = s.substr(colon);
        if (state.empty() || state.find_first_not_of("0123456789 ") != std::string::npos)
            throw usage_error("malformed relacy schedule state '" + state.substr(0, 40) +
                              "': expected numbers separated by spaces, as mmcheck printed them");
    }
    if (options.engine == engine_kind::mc) {
        std::vector<mc::decision> decisions;
        if (auto error = mc::decode_schedule(s, decisions))
            throw usage_error("malformed mc schedule: " + *error + "; copy the whole reproduce line mmcheck printed");
    }
}

}  // namespace

bool as_expected(const variant_info& variant, const run_result& result) {
    if (result.outcome == verdict::incomplete) return false;
    if (variant.expected.passes()) return result.outcome == verdict::pass;
    return result.outcome == verdict::violation && result.violation && variant.expected.accepts(result.violation->kind);
}

namespace {

// Fills what the user left unset from the scenario's declared bounds.
run_options resolve(run_options options, const scenario_info& scenario) {
    if (!options.search) {
        if (options.engine == engine_kind::relacy)
            options.search = parse_search(scenario.bounds.relacy_search).value_or(search_kind::bounded);
        else if (options.engine == engine_kind::mc)
            options.search = search_kind::dpor;
        else
            options.search = search_kind::random;
    }
    if (!options.preemptions) options.preemptions = scenario.bounds.preemptions;
    if (options.time_budget_seconds == 0) options.time_budget_seconds = scenario.bounds.time_budget_seconds;
    return options;
}

void check_search(const run_options& options) {
    const search_kind search = *options.search;
    const bool ok = options.engine == engine_kind::relacy
                        ? (search == search_kind::full || search == search_kind::bounded || search == search_kind::random)
                        : options.engine == engine_kind::mc ? search != search_kind::full : true;
    if (options.split() && options.engine != engine_kind::mc)
        throw usage_error("--jobs, --split-depth and --shard split the mc engine's search; add --engine mc");
    if (!ok)
        throw usage_error("engine '" + std::string(engine_name(options.engine)) + "' has no search '" +
                          std::string(search_name(search)) +
                          "'; relacy: full, bounded, random; mc: dpor, dfs, bounded, pct, random");
}

}  // namespace

run_result run(const run_options& requested) {
    scenario_format::ensure_loaded();  // the CLI has loaded its --scenarios directory already
    const scenario_info* scenario = scenario_catalog::instance().find(requested.scenario);
    if (scenario == nullptr)
        throw usage_error("unknown scenario '" + requested.scenario + "'; `mmcheck list` shows the scenarios");
    const variant_info* variant = scenario->find_variant(requested.variant);
    if (variant == nullptr)
        throw usage_error("scenario '" + scenario->name + "' has no variant '" + requested.variant +
                          "'; its variants are: " + known_variants(*scenario));
    if (scenario->property) return scenario->property(*variant, requested);
    const run_options options = resolve(requested, *scenario);
    check_search(options);
    if (options.schedule) check_schedule(options);

    switch (options.engine) {
        case engine_kind::native:
#ifdef MMCHECK_HAVE_ENGINE_native
            return engine_native::run_scenario(options, *scenario, *variant);
#else
            break;
#endif
        case engine_kind::relacy:
#ifdef MMCHECK_HAVE_ENGINE_relacy
            return engine_relacy::run_scenario(options, *scenario, *variant);
#else
            break;
#endif
        case engine_kind::mc:
#ifdef MMCHECK_HAVE_ENGINE_mc
            return engine_mc::run_scenario(options, *scenario, *variant);
#else
            break;
#endif
    }
    throw usage_error("engine '" + std::string(engine_name(options.engine)) +
                      "' is not in this build; configure with -DMMCHECK_ENGINES including it");
}

}  // namespace mmcheck
