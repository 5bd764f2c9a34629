// mmcheck replay: re-run exactly the execution a schedule describes and print its
// trace; says so when the schedule no longer fails (the model changed under it).
#include <iostream>

#include "cli/commands.h"
#include "cli/engine_options.h"
#include "reports/text.h"

namespace mmcheck::cli {

namespace {

struct replay_options {
    run_options run;
    engine_settings engine;
};

int run_replay(const replay_options& replay) {
    run_options options = replay.run;
    replay.engine.apply(options);
    const run_result result = run(options);
    const scenario_info& scenario = *scenario_catalog::instance().find(options.scenario);
    const variant_info& variant = *scenario.find_variant(options.variant);
    if (result.outcome != verdict::violation) {
        std::cout << "replay: the schedule ran to completion without a violation: the model or the scenario changed "
                     "under it, so it no longer reproduces the failure it was saved from\n";
        return exit_not_as_declared;
    }
    write_text_report(std::cout, options, scenario, variant, result);
    return as_expected(variant, result) ? exit_as_declared : exit_not_as_declared;
}

}  // namespace

void setup_replay(CLI::App& app, action& chosen) {
    auto options = std::make_shared<replay_options>();
    CLI::App* cmd = app.add_subcommand("replay", "Re-run the one execution a printed schedule describes");
    cmd->add_option("scenario", options->run.scenario, "Scenario name")->required();
    cmd->add_option("--variant", options->run.variant, "Variant the schedule was found on")->required();
    add_engine_option(cmd, options->engine);
    cmd->add_option("--schedule", options->run.schedule, "The schedule, as printed after 'reproduce:'")->required();
    cmd->callback([options, &chosen] { chosen = [options] { return run_replay(*options); }; });
}

}  // namespace mmcheck::cli
