// The per-engine tables behind scenarios/toml/registry.h.
#include <array>

#include "scenarios/toml/registry.h"

MMCHECK_ENGINE_BEGIN

namespace toml_scenario {

namespace {

// Function-local statics: registrations run during static initialization, in any
// order across files.
template <class T>
std::vector<T>& table() {
    static std::vector<T> entries;
    return entries;
}

template <class T>
const T* find_in(std::string_view name) {
    for (const T& entry : table<T>())
        if (entry.name == name) return &entry;
    return nullptr;
}

template <class T>
std::string names_of() {
    std::string out;
    for (const T& entry : table<T>()) out += (out.empty() ? "" : ", ") + std::string(entry.name);
    return out;
}

}  // namespace

const op_args::value& op_args::at(std::string_view name) const {
    for (std::size_t i = 0; i < params_->size(); ++i)
        if ((*params_)[i].name == name) return values_[i];
    // An operation asking for a parameter it did not declare: a bug in its code.
    throw std::logic_error("internal: operation reads undeclared parameter '" + std::string(name) + "'");
}

operation_registration::operation_registration(operation op) { table<operation>().push_back(std::move(op)); }
invariant_registration::invariant_registration(invariant check) { table<invariant>().push_back(check); }
variant_path_registration::variant_path_registration(variant_path path) {
    table<variant_path>().push_back(std::move(path));
}

const operation* find_operation(std::string_view name) { return find_in<operation>(name); }
const invariant* find_invariant(std::string_view name) { return find_in<invariant>(name); }
const variant_path* find_variant_path(std::string_view name) { return find_in<variant_path>(name); }
std::string known_operations() { return names_of<operation>(); }
std::string known_invariants() { return names_of<invariant>(); }
std::string known_variant_paths() { return names_of<variant_path>(); }

std::optional<std::uint64_t> model_constant(std::string_view name) {
    using namespace mm;
    static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 6> constants{{
        {"PAGE_SIZE", PAGE_SIZE},
        {"PMD_SIZE", PMD_SIZE},
        {"PUD_SIZE", PUD_SIZE},
        {"HPAGE_PMD_NR", HPAGE_PMD_NR},
        {"HPAGE_PUD_NR", HPAGE_PUD_NR},
        {"PTRS_PER_TABLE", PMD_SIZE / PAGE_SIZE},
    }};
    for (const auto& [n, v] : constants)
        if (n == name) return v;
    return std::nullopt;
}

}  // namespace toml_scenario

MMCHECK_ENGINE_END
