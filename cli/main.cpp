// mmcheck: run Linux mm page-table race scenarios on model-checking engines.
#include <iostream>
#include <string>

#include "checker/core/interrupt.h"
#include "checker/core/run.h"
#include "cli/commands.h"
#include "scenarios/format/scenario_files.h"

namespace {

constexpr const char* footer = R"(Exit codes:
  0  every outcome is the one its variant declares (bug found in a buggy variant,
     none in a fixed one)
  1  some outcome is not the declared one
  2  bad usage or input (unknown scenario or variant, malformed number, schedule,
     scenario or shard file; shards missing or of different searches)
  130, 143  stopped by SIGINT (Ctrl-C) or SIGTERM: the search in progress ends as
     if its time budget had run out, its result and the report files are
     written, and no further variant is started; a second signal kills at once

Examples:
  mmcheck suite
  mmcheck list
  mmcheck run s2-handle-mm-fault-vs-huge-pud
  mmcheck run s2-handle-mm-fault-vs-huge-pud --variant v5.4-no-recheck --search pct --iterations 1000
  mmcheck run s2-handle-mm-fault-vs-huge-pud --engine relacy --search bounded --preemptions 3
  mmcheck suite --junit suite.xml --json suite.json --save failures.txt
  mmcheck replay --schedule-file failures.txt --variant v5.4-no-recheck
  mmcheck run s2-handle-mm-fault-vs-huge-pud --variant fixed-625110b5e9da --engine mc --jobs 2
  mmcheck run s2-handle-mm-fault-vs-huge-pud --variant fixed-625110b5e9da --engine mc --shard 0/2
  mmcheck merge shard-0-of-2.json shard-1-of-2.json)";

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"mmcheck: a concurrency model checker for Linux mm page-table protocols"};
    app.footer(footer);
    app.require_subcommand(1);
    // Every command reads the scenario files; the option is the app's, and each
    // subcommand passes it up (fallthrough), so it may follow the command.
    std::string scenarios = mmcheck::scenario_format::default_directory();
    app.add_option("--scenarios", scenarios, "Directory of the *.toml scenario files (default: the source tree's)");
    app.fallthrough();
    mmcheck::cli::action chosen;
    mmcheck::cli::setup_list(app, chosen);
    mmcheck::cli::setup_run(app, chosen);
    mmcheck::cli::setup_replay(app, chosen);
    mmcheck::cli::setup_suite(app, chosen);
    mmcheck::cli::setup_merge(app, chosen);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        std::cerr << "Run 'mmcheck --help' or 'mmcheck <command> --help' for usage.\n";
        return mmcheck::cli::exit_usage;
    }
    try {
        mmcheck::scenario_format::load_directory(scenarios);
        mmcheck::catch_interrupts();
        const int code = chosen();
        if (const int signal = mmcheck::interrupt_signal()) {
            std::cerr << "mmcheck: stopped by " << mmcheck::interrupt_signal_name(signal)
                      << "; what is above is what ran before it\n";
            return 128 + signal;
        }
        return code;
    } catch (const mmcheck::usage_error& e) {
        std::cerr << "mmcheck: error: " << e.what() << "\n";
        return mmcheck::cli::exit_usage;
    }
}
