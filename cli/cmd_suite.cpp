// mmcheck suite: every scenario x variant within its declared bounds, as a table;
// exit 0 only if every outcome is the declared one. --json, --junit and --save
// write the same outcomes for CI.
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>

#include "checker/core/interrupt.h"
#include "cli/commands.h"
#include "cli/engine_options.h"
#include "cli/mc_options.h"
#include "reports/text.h"

namespace mmcheck::cli {

namespace {

struct suite_options {
    run_options run;
    engine_settings engine;
    bool traces = false;
    std::vector<std::string> only;  // --scenario: run just these
    report_files files;
};

std::string outcome_text(const run_result& r) {
    if (r.outcome == verdict::pass) return "pass";
    if (r.outcome == verdict::incomplete) return "incomplete";
    return std::string(violation_name(r.violation->kind));
}

// Column widths: the longest name in each column plus two spaces, so that rows
// printed as each variant finishes still line up.
struct columns {
    std::size_t scenario = 8, variant = 7, expected = 8, outcome = 8;

    explicit columns(const std::vector<const scenario_info*>& scenarios) {
        for (violation_kind k : all_violation_kinds()) outcome = std::max(outcome, violation_name(k).size());
        expected = outcome;
        for (const scenario_info* s : scenarios) {
            scenario = std::max(scenario, s->name.size());
            for (const variant_info& v : s->variants) {
                variant = std::max(variant, v.name.size());
                expected = std::max(expected, v.expected.name().size());
            }
        }
        scenario += 2, variant += 2, expected += 2, outcome += 2;
    }

    void header() const {
        std::cout << std::left << std::setw(scenario) << "scenario" << std::setw(variant) << "variant"
                  << std::setw(expected) << "expected" << std::setw(outcome + 22) << "got" << std::right << std::setw(12)
                  << "executions" << std::setw(10) << "time s" << "\n";
    }

    void row(const variant_outcome& o, bool ok) const {
        std::cout << std::left << std::setw(scenario) << o.scenario->name << std::setw(variant) << o.variant->name
                  << std::setw(expected) << o.variant->expected.name() << std::setw(outcome + 22)
                  << (outcome_text(o.result) + (ok ? "" : "  <-- NOT AS DECLARED")) << std::right << std::setw(12)
                  << o.result.executions << std::setw(10) << std::fixed << std::setprecision(3) << o.result.seconds
                  << std::endl;
    }
};

std::vector<const scenario_info*> chosen_scenarios(const suite_options& options) {
    std::vector<const scenario_info*> chosen;
    for (const std::string& name : options.only)
        if (scenario_catalog::instance().find(name) == nullptr)
            throw usage_error("unknown scenario '" + name + "' in --scenario; `mmcheck list` shows the scenarios");
    for (const scenario_info* s : scenario_catalog::instance().all())
        if (options.only.empty() || std::find(options.only.begin(), options.only.end(), s->name) != options.only.end())
            chosen.push_back(s);
    return chosen;
}

int run_suite(const suite_options& options) {
    const std::vector<const scenario_info*> scenarios = chosen_scenarios(options);
    const columns table(scenarios);
    table.header();
    int failures = 0;
    outcome_list outcomes;
    for (const scenario_info* scenario : scenarios) {
        for (const variant_info& variant : scenario->variants) {
            if (interrupt_signal() != 0) break;  // no further variant (interrupt.h)
            run_options one = options.run;
            options.engine.apply(one);
            one.scenario = scenario->name;
            one.variant = variant.name;
            outcomes.push_back({one, scenario, &variant, run(one)});
            const bool ok = as_expected(variant, outcomes.back().result);
            failures += ok ? 0 : 1;
            table.row(outcomes.back(), ok);
            if (options.traces && !ok) write_text_report(std::cout, one, *scenario, variant, outcomes.back().result);
        }
    }
    bool header = false;
    for (const variant_outcome& o : outcomes) {
        if (o.result.schedule.empty()) continue;
        if (!header) std::cout << "\nreproduce any failure above with:\n", header = true;
        std::cout << "  " << reproduce_command(o.options, o.result) << "\n";
    }
    write_report_files(options.files, outcomes);
    std::cout << "\n"
              << (failures == 0 ? "suite: every outcome as declared"
                                : "suite: " + std::to_string(failures) + " outcome(s) NOT as declared");
    if (const int signal = interrupt_signal())
        std::cout << " of the " << outcomes.size() << " variant(s) run before " << interrupt_signal_name(signal);
    std::cout << "\n";
    return failures == 0 ? exit_as_declared : exit_not_as_declared;
}

}  // namespace

void setup_suite(CLI::App& app, action& chosen) {
    auto options = std::make_shared<suite_options>();
    CLI::App* cmd = app.add_subcommand("suite", "Run every scenario and variant within its declared bounds");
    add_engine_option(cmd, options->engine);
    add_search_options(cmd, options->engine, options->run);
    add_mc_options(cmd, options->run);
    cmd->add_flag("--traces", options->traces, "Print the full report of every outcome that is not as declared");
    cmd->add_option("--scenario", options->only, "Run only this scenario (repeatable; default: every scenario)");
    add_report_file_options(cmd, options->files, true);
    cmd->callback([options, &chosen] { chosen = [options] { return run_suite(*options); }; });
}

}  // namespace mmcheck::cli
