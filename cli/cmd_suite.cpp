// mmcheck suite: every scenario x variant within its declared bounds, as a table;
// exit 0 only if every outcome is the declared one.
#include <chrono>
#include <iomanip>
#include <iostream>

#include "cli/commands.h"
#include "cli/engine_options.h"
#include "reports/text.h"

namespace mmcheck::cli {

namespace {

struct suite_options {
    run_options run;
    engine_settings engine;
    bool traces = false;
};

std::string outcome_text(const run_result& r) {
    if (r.outcome == verdict::pass) return "pass";
    if (r.outcome == verdict::incomplete) return "incomplete";
    return std::string(violation_name(r.violation->kind));
}

int run_suite(const suite_options& options) {
    std::cout << std::left << std::setw(36) << "scenario" << std::setw(24) << "variant" << std::setw(28) << "expected"
              << std::setw(28) << "got" << std::right << std::setw(12) << "executions" << std::setw(10) << "time s"
              << "\n";
    int failures = 0;
    std::vector<std::string> reproduce;
    for (const scenario_info* scenario : scenario_catalog::instance().all()) {
        for (const variant_info& variant : scenario->variants) {
            run_options one = options.run;
            options.engine.apply(one);
            one.scenario = scenario->name;
            one.variant = variant.name;
            const run_result result = run(one);
            const bool ok = as_expected(variant, result);
            failures += ok ? 0 : 1;
            const std::string expected =
                variant.expected_violation ? std::string(violation_name(*variant.expected_violation)) : "pass";
            std::cout << std::left << std::setw(36) << scenario->name << std::setw(24) << variant.name << std::setw(28)
                      << expected << std::setw(28) << (outcome_text(result) + (ok ? "" : "  <-- NOT AS DECLARED"))
                      << std::right << std::setw(12) << result.executions << std::setw(10) << std::fixed
                      << std::setprecision(3) << result.seconds << "\n";
            if (!result.schedule.empty()) reproduce.push_back(reproduce_command(one, result));
            if (options.traces && !ok) write_text_report(std::cout, one, *scenario, variant, result);
        }
    }
    if (!reproduce.empty()) {
        std::cout << "\nreproduce any failure above with:\n";
        for (const auto& line : reproduce) std::cout << "  " << line << "\n";
    }
    std::cout << "\n" << (failures == 0 ? "suite: every outcome as declared" : "suite: " + std::to_string(failures) + " outcome(s) NOT as declared") << "\n";
    return failures == 0 ? exit_as_declared : exit_not_as_declared;
}

}  // namespace

void setup_suite(CLI::App& app, action& chosen) {
    auto options = std::make_shared<suite_options>();
    CLI::App* cmd = app.add_subcommand("suite", "Run every scenario and variant within its declared bounds");
    add_engine_option(cmd, options->engine);
    add_search_options(cmd, options->engine, options->run);
    cmd->add_flag("--traces", options->traces, "Print the full report of every outcome that is not as declared");
    cmd->callback([options, &chosen] { chosen = [options] { return run_suite(*options); }; });
}

}  // namespace mmcheck::cli
