#include "scenarios/catalog/catalog.h"

#include <algorithm>

namespace mmcheck {

bool expected_outcome::accepts(violation_kind kind) const {
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string expected_outcome::name() const {
    if (kinds.empty()) return "pass";
    std::string out;
    for (violation_kind kind : kinds) out += (out.empty() ? "" : " or ") + std::string(violation_name(kind));
    return out;
}

const variant_info* scenario_info::find_variant(std::string_view variant) const {
    for (const auto& v : variants)
        if (v.name == variant) return &v;
    return nullptr;
}

scenario_catalog& scenario_catalog::instance() {
    static scenario_catalog catalog;
    return catalog;
}

void scenario_catalog::add(scenario_info info) {
    if (find(info.name) == nullptr) scenarios_.push_back(std::move(info));
}

const scenario_info* scenario_catalog::find(std::string_view name) const {
    for (const auto& s : scenarios_)
        if (s.name == name) return &s;
    return nullptr;
}

std::vector<const scenario_info*> scenario_catalog::all(bool include_selftests) const {
    std::vector<const scenario_info*> out;
    for (const auto& s : scenarios_)
        if (include_selftests || !s.selftest) out.push_back(&s);
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
    return out;
}

}  // namespace mmcheck
