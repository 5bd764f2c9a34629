// The one entry point each engine build provides; checker/core/dispatch.cpp calls
// the engine the user chose. Declared here with each engine's namespace spelled out.
#pragma once

#include "checker/core/run.h"
#include "scenarios/catalog/catalog.h"

#define MMCHECK_DECLARE_ENGINE(ns)                                                          \
    namespace mmcheck::ns {                                                                 \
    run_result run_scenario(const run_options& options, const scenario_info& scenario,      \
                            const variant_info& variant);                                   \
    }

MMCHECK_DECLARE_ENGINE(engine_native)
MMCHECK_DECLARE_ENGINE(engine_relacy)
MMCHECK_DECLARE_ENGINE(engine_mc)

#undef MMCHECK_DECLARE_ENGINE
