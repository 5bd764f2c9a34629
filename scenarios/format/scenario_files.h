// The scenario files of a run: every *.toml in the scenarios directory, read at
// startup and bound to every engine in the build, after which they are in the
// catalog like the C++ scenarios. The directory is the one the build was
// configured with (the source tree's scenarios/) unless the CLI's --scenarios says
// otherwise; it is not read from the environment.
#pragma once

#include <string>

#include "scenarios/format/definition.h"

namespace mmcheck::scenario_format {

// Each engine build registers one binder (scenarios/cpp/toml_scenarios.cpp): it
// checks the names only the engine knows, throwing file_error, and registers the
// scenario's body with that engine.
using binder = void (*)(const scenario_definition& def);
void add_binder(binder bind);

std::string default_directory();

// Reads and binds every *.toml in `directory`, in name order. Once per process:
// later calls, with any directory, do nothing. Throws usage_error (an unreadable
// directory) or file_error (the first bad file, with its line).
void load_directory(const std::string& directory);

// For library users (tests) that call run() without the CLI: loads the default
// directory unless a directory was loaded already.
void ensure_loaded();

}  // namespace mmcheck::scenario_format
