// Each subcommand lives in its own file: an options struct, a setup function that
// declares it on the CLI11 app, and a run function that returns the exit code.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace mmcheck::cli {

// Exit codes, also documented in --help and the README.
inline constexpr int exit_as_declared = 0;
inline constexpr int exit_not_as_declared = 1;
inline constexpr int exit_usage = 2;

using action = std::function<int()>;

void setup_list(CLI::App& app, action& chosen);
void setup_run(CLI::App& app, action& chosen);
void setup_replay(CLI::App& app, action& chosen);
void setup_suite(CLI::App& app, action& chosen);

}  // namespace mmcheck::cli
