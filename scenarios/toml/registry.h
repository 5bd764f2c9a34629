// What a scenario file may name, per engine build: operations (what a thread
// does), invariants (what finish() checks) and model path variants (what a variant
// selects in mm::model_variants). Each is one registration object, so adding an
// operation is one place: a `const operation_registration` in any file under
// scenarios/cpp/ (the shipped ones are in scenarios/cpp/toml_operations.cpp), e.g.
//
//   const operation_registration fault{{"fault", "do_user_addr_fault() at an address",
//       {{"address", param_type::number, true}, {"write", param_type::flag, false}},
//       [](world& w, const op_args& a) { ... a.number("address") ... },
//       nullptr}};  // or a check of the arguments against the initial state
//
// The interpreter checks every call against the parameters when a file is loaded,
// so run() can take its arguments for granted.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/toml/world.h"

MMCHECK_ENGINE_BEGIN

namespace toml_scenario {

// number: an integer or a constant expression ("3 * PAGE_SIZE"); flag: a boolean;
// text: a string.
enum class param_type { number, flag, text };

struct parameter {
    std::string_view name;
    param_type type;
    bool required;
};

// One call's arguments, checked and evaluated at load; absent optional ones read
// as 0, false or "".
class op_args {
public:
    struct value {
        std::uint64_t number = 0;
        std::string text;
    };
    op_args(const std::vector<parameter>* params, std::vector<value> values) : params_(params), values_(std::move(values)) {}
    std::uint64_t number(std::string_view name) const { return at(name).number; }
    bool flag(std::string_view name) const { return at(name).number != 0; }
    const std::string& text(std::string_view name) const { return at(name).text; }

private:
    const value& at(std::string_view name) const;
    const std::vector<parameter>* params_;
    std::vector<value> values_;  // by parameter position
};

struct operation {
    std::string_view name;
    std::string_view summary;  // for scenarios/README.md and error messages
    std::vector<parameter> parameters;
    void (*run)(world& w, const op_args& args);
    // Checks one call's arguments against the initial state when the file is
    // loaded: returns what is wrong (reported at the call's line), empty if fine.
    // nullptr: any values of the declared types are fine.
    std::string (*check)(const world_plan& plan, const op_args& args);
};

struct invariant {
    std::string_view name;
    std::string_view summary;
    void (*check)(world& w);
};

// A model path with a history (one enum of model/mm/variants.h): its name in
// scenario files, and each choice's name with what selecting it does.
struct variant_path {
    std::string_view name;
    std::vector<std::pair<std::string_view, std::function<void(mm::model_variants&)>>> choices;
};

// Builds a variant_path for one model_variants field.
template <class E>
variant_path path_of(std::string_view name, E mm::model_variants::*field,
                     std::initializer_list<std::pair<std::string_view, E>> choices) {
    variant_path path{name, {}};
    for (const auto& [choice, value] : choices)
        path.choices.emplace_back(choice, [field, value](mm::model_variants& v) { v.*field = value; });
    return path;
}

struct operation_registration {
    explicit operation_registration(operation op);
};
struct invariant_registration {
    explicit invariant_registration(invariant check);
};
struct variant_path_registration {
    explicit variant_path_registration(variant_path path);
};

const operation* find_operation(std::string_view name);
const invariant* find_invariant(std::string_view name);
const variant_path* find_variant_path(std::string_view name);
std::string known_operations();
std::string known_invariants();
std::string known_variant_paths();

// Constants a number may name (PAGE_SIZE, PMD_SIZE, ...), from the model.
std::optional<std::uint64_t> model_constant(std::string_view name);

}  // namespace toml_scenario

MMCHECK_ENGINE_END
