// mmcheck replay: re-run exactly the execution a schedule describes and print its
// trace; says so when the schedule no longer fails, or fails differently (the model
// changed under it). The schedule comes from the command line or from a file that
// --save wrote (cli/schedule_file.h).
#include <iostream>

#include "cli/commands.h"
#include "cli/engine_options.h"
#include "cli/schedule_file.h"
#include "reports/text.h"

namespace mmcheck::cli {

namespace {

struct replay_options {
    run_options run;
    engine_settings engine;
    std::string schedule_file;
};

// The file's schedule the command line picks: the only one, or the one of the
// scenario (and variant) given.
saved_schedule pick(const replay_options& replay) {
    std::vector<saved_schedule> matching;
    for (saved_schedule& s : read_schedule_file(replay.schedule_file))
        if ((replay.run.scenario.empty() || s.scenario == replay.run.scenario) &&
            (replay.run.variant.empty() || s.variant == replay.run.variant))
            matching.push_back(std::move(s));
    if (matching.size() == 1) return matching.front();
    std::string listed;
    for (const saved_schedule& s : matching) listed += "\n  " + s.where() + ": " + s.scenario + " --variant " + s.variant;
    if (matching.empty())
        throw usage_error(replay.schedule_file + ": no schedule of " +
                          (replay.run.scenario.empty() ? "any scenario" : "'" + replay.run.scenario + "'") +
                          (replay.run.variant.empty() ? "" : " variant '" + replay.run.variant + "'"));
    throw usage_error(replay.schedule_file + " holds " + std::to_string(matching.size()) +
                      " schedules; pass the scenario and --variant to pick one:" + listed);
}

// What the replayed execution must fail with: what the file says it was saved
// failing with, else the variant's declared violation (any of its kinds).
expected_outcome saved_failure(const std::optional<saved_schedule>& saved, const variant_info& variant) {
    if (saved && saved->found) return *saved->found;
    return variant.expected;
}

int report_replay(const run_options& options, const std::optional<saved_schedule>& saved, const run_result& result) {
    const scenario_info& scenario = *scenario_catalog::instance().find(options.scenario);
    const variant_info& variant = *scenario.find_variant(options.variant);
    if (result.outcome != verdict::violation) {
        std::cout << "replay: the schedule ran to completion without a violation: the model or the scenario changed "
                     "under it, so it no longer reproduces the failure it was saved from\n";
        return exit_not_as_declared;
    }
    const expected_outcome want = saved_failure(saved, variant);
    const bool same_failure = want.passes() || want.accepts(result.violation->kind);
    if (!same_failure)
        std::cout << "replay: the schedule now fails with " << violation_name(result.violation->kind) << ", not the "
                  << want.name() << " it was saved from: the model or the scenario changed under it; "
                  << "the trace below is of the new failure\n";
    write_text_report(std::cout, options, scenario, variant, result);
    return same_failure && as_expected(variant, result) ? exit_as_declared : exit_not_as_declared;
}

int run_replay(const replay_options& replay) {
    run_options options = replay.run;
    replay.engine.apply(options);
    std::optional<saved_schedule> saved;
    if (!replay.schedule_file.empty()) {
        if (options.schedule)
            throw usage_error("give the schedule with --schedule or --schedule-file, not both");
        saved = pick(replay);
        options.scenario = saved->scenario;
        options.variant = saved->variant;
        options.engine = saved->engine;
        options.schedule = saved->schedule;
    } else if (options.scenario.empty() || options.variant.empty() || !options.schedule) {
        throw usage_error("replay needs the scenario, --variant and --schedule as printed after 'reproduce:', "
                          "or --schedule-file FILE as written by --save");
    } else if (!replay.engine.engine_given()) {
        // A schedule starts with its engine's name: replay it there unless told otherwise.
        if (auto engine = engine_of_schedule(*options.schedule)) options.engine = *engine;
    }
    try {
        return report_replay(options, saved, run(options));
    } catch (const usage_error& e) {
        if (!saved) throw;
        throw usage_error(saved->where() + ": " + e.what());  // a bad schedule: name its line
    }
}

}  // namespace

void setup_replay(CLI::App& app, action& chosen) {
    auto options = std::make_shared<replay_options>();
    CLI::App* cmd = app.add_subcommand("replay", "Re-run the one execution a printed or saved schedule describes");
    cmd->add_option("scenario", options->run.scenario, "Scenario name (with --schedule-file: picks the schedule)");
    cmd->add_option("--variant", options->run.variant, "Variant the schedule was found on");
    add_engine_option(cmd, options->engine);
    cmd->add_option("--schedule", options->run.schedule, "The schedule, as printed after 'reproduce:'");
    cmd->add_option("--schedule-file", options->schedule_file, "A file of schedules written by run/suite --save");
    cmd->callback([options, &chosen] { chosen = [options] { return run_replay(*options); }; });
}

}  // namespace mmcheck::cli
