// mmcheck run: explore one scenario (all its variants, or one) and compare each
// outcome with the one the variant declares.
#include <fstream>
#include <iostream>

#include "checker/core/interrupt.h"
#include "cli/commands.h"
#include "cli/engine_options.h"
#include "cli/mc_options.h"
#include "reports/shard_file.h"
#include "reports/text.h"

namespace mmcheck::cli {

namespace {

struct run_command_options {
    run_options run;
    engine_settings engine;
    std::string variant;  // empty: every variant
    report_files files;
    std::string shard_out;  // --shard: the result file
};

// The result file of `--shard i/n`, named after the shard unless --shard-out says.
void write_shard_result(const run_command_options& options, const run_options& one, const run_result& result) {
    const std::string path = !options.shard_out.empty() ? options.shard_out
                                                         : "shard-" + std::to_string(one.shard_index) + "-of-" +
                                                               std::to_string(one.shard_count) + ".json";
    std::ofstream out(path);
    if (out) write_shard_file(out, make_shard_file(one, result));
    if (!out) throw usage_error("cannot write the shard result file '" + path + "'");
    std::cout << "  shard result: " << path << "\n";
}

int run_run(const run_command_options& options) {
    const scenario_info* scenario = scenario_catalog::instance().find(options.run.scenario);
    if (scenario == nullptr) {
        run(options.run);  // throws the usage error naming the scenario
    }
    if (options.run.shard_count > 0 && options.variant.empty())
        throw usage_error("--shard runs one variant: add --variant NAME (variants of '" + scenario->name +
                          "' are listed by `mmcheck list`)");
    std::vector<std::string> variants;
    if (!options.variant.empty())
        variants.push_back(options.variant);
    else
        for (const auto& v : scenario->variants) variants.push_back(v.name);

    bool all_as_declared = true;
    outcome_list outcomes;
    for (const auto& name : variants) {
        run_options one = options.run;
        options.engine.apply(one);
        one.variant = name;
        const run_result result = run(one);
        const variant_info& variant = *scenario->find_variant(name);
        write_text_report(std::cout, one, *scenario, variant, result);
        if (one.shard_count > 0) write_shard_result(options, one, result);
        std::cout << "\n";
        all_as_declared = all_as_declared && as_expected(variant, result);
        outcomes.push_back({one, scenario, &variant, result});
        if (interrupt_signal() != 0) break;  // no further variant (interrupt.h)
    }
    write_report_files(options.files, outcomes);
    return all_as_declared ? exit_as_declared : exit_not_as_declared;
}

}  // namespace

void setup_run(CLI::App& app, action& chosen) {
    auto options = std::make_shared<run_command_options>();
    CLI::App* cmd = app.add_subcommand("run", "Explore a scenario and check each variant's declared outcome");
    cmd->add_option("scenario", options->run.scenario, "Scenario name (see `mmcheck list`)")->required();
    cmd->add_option("--variant", options->variant, "Run only this variant (default: every variant)");
    add_engine_option(cmd, options->engine);
    add_search_options(cmd, options->engine, options->run);
    add_mc_options(cmd, options->run);
    add_shard_option(cmd, options->run);
    cmd->add_option("--shard-out", options->shard_out, "--shard: write the result here (default shard-I-of-N.json)");
    add_report_file_options(cmd, options->files, false);
    cmd->callback([options, &chosen] { chosen = [options] { return run_run(*options); }; });
}

}  // namespace mmcheck::cli
