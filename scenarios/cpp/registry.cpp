// The per-engine table of scenario bodies (see scenarios/body.h).
#include <string>
#include <utility>
#include <vector>

#include "scenarios/body.h"

MMCHECK_ENGINE_BEGIN

namespace {
std::vector<std::pair<std::string, scenario_factory>>& bodies() {
    static std::vector<std::pair<std::string, scenario_factory>> table;
    return table;
}
}  // namespace

scenario_registration::scenario_registration(scenario_info info, scenario_factory factory) {
    bodies().emplace_back(info.name, factory);
    scenario_catalog::instance().add(std::move(info));
}

scenario_factory find_scenario_body(std::string_view name) {
    for (const auto& [n, f] : bodies())
        if (n == name) return f;
    return nullptr;
}

MMCHECK_ENGINE_END
