// A scenario body as an engine runs it: build the initial state for a variant, run
// each thread's operations, check the final state. Compiled once per engine.
#pragma once

#include <memory>
#include <string_view>

#include "checker/core/run.h"
#include "model/kernel/detail/engine_ns.h"
#include "scenarios/catalog/catalog.h"

MMCHECK_ENGINE_BEGIN

class scenario_instance {
public:
    virtual ~scenario_instance() = default;
    virtual void run_thread(int index) = 0;
    // Checks of the final state (accounting, leaks); runs after every thread ended.
    virtual void finish() {}
};

using scenario_factory = std::unique_ptr<scenario_instance> (*)(const variant_info& variant);

scenario_factory find_scenario_body(std::string_view name);

// Registers a scenario's description in the catalog and its body with this engine.
struct scenario_registration {
    scenario_registration(scenario_info info, scenario_factory factory);
};

// The engine's entry point (checker/engine.h declares it for the dispatcher).
run_result run_scenario(const run_options& options, const scenario_info& scenario, const variant_info& variant);

MMCHECK_ENGINE_END
