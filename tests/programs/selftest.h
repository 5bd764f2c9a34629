// Registering a seam self-test program: a hidden scenario with one variant,
// "default", that must end with `expected` (nullopt: pass).
#pragma once

#include <memory>
#include <optional>

#include "scenarios/body.h"

MMCHECK_ENGINE_BEGIN
namespace selftests {

template <class Program>
std::unique_ptr<scenario_instance> make(const variant_info&) {
    return std::make_unique<Program>();
}

inline scenario_info selftest(const char* name, const char* summary, std::optional<violation_kind> expected,
                              int threads = 2) {
    scenario_info info;
    info.name = name;
    info.summary = summary;
    info.source = "mmcheck self-test";
    info.threads = threads;
    info.variants = {{"default", summary, expected}};
    info.selftest = true;
    return info;
}

}  // namespace selftests
MMCHECK_ENGINE_END
