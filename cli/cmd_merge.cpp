// mmcheck merge FILE...: joins the result files of the shards of one split search
// (`mmcheck run ... --shard i/n`) into one verdict and report, with the totals and
// first violation one run over every subtree gives; the violation's schedule is
// replayed here for its trace. Exit codes as for `run`; 2 when a shard is missing or
// given twice, the files are of different searches, or a file is malformed.
#include <iostream>

#include "cli/commands.h"
#include "reports/json.h"
#include "reports/shard_file.h"
#include "reports/text.h"

namespace mmcheck::cli {

namespace {

struct merge_options {
    std::vector<std::string> files;
    std::string json;
};

run_options options_of(const shard_file& merged) {
    run_options o;
    o.scenario = merged.scenario;
    o.variant = merged.variant;
    o.engine = engine_kind::mc;
    o.search = parse_search(merged.search);
    if (!o.search) throw usage_error("shard files name an unknown search '" + merged.search + "'");
    return o;
}

// The merged verdict: the first violating subtree's schedule replayed, else pass
// when every subtree was exhausted, else incomplete.
run_result merged_result(const shard_file& merged, unsigned shards, run_options& options) {
    run_result result;
    if (const subtree_result* failing = first_violation(merged.split)) {
        options.schedule = failing->schedule;
        result = run(options);
        options.schedule.reset();
    } else if (merged.out_of_time || !split_complete(merged.split)) {
        result.outcome = verdict::incomplete;
        result.notes.push_back("some shard ran out of its time budget; rerun it with a larger --time-budget");
    } else {
        result.outcome = verdict::pass;
        result.exhaustive = true;
    }
    result.bound = "every execution of " + std::to_string(merged.split.subtrees) + " subtrees, merged from " +
                   std::to_string(shards) + " shards";
    result.split = merged.split;
    result.stats = split_totals(merged.split, merged.seconds);
    result.executions = result.stats->executions;
    result.seconds = merged.seconds;
    return result;
}

int run_merge(const merge_options& options) {
    std::vector<std::pair<std::string, shard_file>> shards;
    for (const std::string& path : options.files) shards.emplace_back(path, read_shard_file(path));
    const unsigned count = shards.front().second.split.shard_count;
    shard_file merged = merge_shards(shards);
    run_options run_as = options_of(merged);
    const scenario_info* scenario = scenario_catalog::instance().find(run_as.scenario);
    const variant_info* variant = scenario ? scenario->find_variant(run_as.variant) : nullptr;
    if (variant == nullptr)
        throw usage_error("the shard files are of '" + run_as.scenario + "' variant '" + run_as.variant +
                          "', which this build does not have");
    run_result result = merged_result(merged, count, run_as);
    result.notes.insert(result.notes.begin(), "merged " + std::to_string(count) + " shards, split depth " +
                                                  std::to_string(merged.split.depth));
    result.split->shard_count = count;
    write_text_report(std::cout, run_as, *scenario, *variant, result);
    if (!options.json.empty()) {
        report_files files;
        files.json = options.json;
        write_report_files(files, {{run_as, scenario, variant, result}});
    }
    return as_expected(*variant, result) ? exit_as_declared : exit_not_as_declared;
}

}  // namespace

void setup_merge(CLI::App& app, action& chosen) {
    auto options = std::make_shared<merge_options>();
    CLI::App* cmd = app.add_subcommand("merge", "Join the result files of `run --shard i/n` into one verdict");
    cmd->add_option("files", options->files, "Every shard's result file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--json", options->json, "Also write the merged outcome as JSON to FILE");
    cmd->callback([options, &chosen] { chosen = [options] { return run_merge(*options); }; });
}

}  // namespace mmcheck::cli
