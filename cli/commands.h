// Each subcommand lives in its own file: an options struct, a setup function that
// declares it on the CLI11 app, and a run function that returns the exit code.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "reports/outcome.h"

namespace mmcheck::cli {

// Exit codes, also documented in --help and the README.
inline constexpr int exit_as_declared = 0;
inline constexpr int exit_not_as_declared = 1;
inline constexpr int exit_usage = 2;

using action = std::function<int()>;

// Files `run` and `suite` write besides their text: --json, --junit (suite only),
// --save (the failing schedules, cli/schedule_file.h). Empty: not asked for.
struct report_files {
    std::string json;
    std::string junit;
    std::string save;
};

void add_report_file_options(CLI::App* cmd, report_files& files, bool junit);
// Throws usage_error when a file cannot be written.
void write_report_files(const report_files& files, const outcome_list& outcomes);

void setup_list(CLI::App& app, action& chosen);
void setup_run(CLI::App& app, action& chosen);
void setup_replay(CLI::App& app, action& chosen);
void setup_suite(CLI::App& app, action& chosen);
void setup_merge(CLI::App& app, action& chosen);

}  // namespace mmcheck::cli
