// Reads one scenario file into a scenario_definition: TOML syntax (toml++), the
// shape of every table, unknown keys, expected outcomes and bounds. Names that only
// an engine build knows (operations, model path variants, invariants) are checked
// by the interpreter when the definition is bound (scenarios/toml/interpreter.h).
#pragma once

#include <string>

#include "scenarios/format/definition.h"

namespace mmcheck::scenario_format {

// Throws file_error naming the file and line of the first problem.
scenario_definition read_scenario_file(const std::string& path);

}  // namespace mmcheck::scenario_format
