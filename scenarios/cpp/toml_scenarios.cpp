// The scenario-file interpreter of one engine build: checks a loaded definition
// against this build's operations, invariants and variant paths
// (scenarios/toml/registry.h), resolves it into a plan, and registers a body
// that builds the plan's world and runs its threads' operations.
#include <deque>

#include "scenarios/body.h"
#include "scenarios/format/expression.h"
#include "scenarios/format/scenario_files.h"
#include "scenarios/toml/registry.h"

MMCHECK_ENGINE_BEGIN

namespace toml_scenario {

namespace {

namespace fmt = scenario_format;

struct bound_call {
    const operation* op;
    op_args args;
};

struct compiled_scenario {
    std::string name;
    world_plan plan;
    std::vector<std::vector<bound_call>> threads;
    std::vector<mm::model_variants> variants;  // by variant position in the catalog
    std::vector<const invariant*> invariants;
};

// Stable addresses: instances point into their scenario.
std::deque<compiled_scenario>& compiled() {
    static std::deque<compiled_scenario> all;
    return all;
}

std::uint64_t number(const fmt::scenario_definition& def, const fmt::located_scalar& value) {
    return fmt::evaluate(def, value, model_constant);
}

template <class T>
T lookup(const fmt::scenario_definition& def, const fmt::located_name& n, const char* what,
         std::initializer_list<std::pair<std::string_view, T>> choices) {
    std::string known;
    for (const auto& [name, value] : choices) {
        if (name == n.name) return value;
        known += (known.empty() ? "" : ", ") + std::string(name);
    }
    def.fail(n.line, "unknown " + std::string(what) + " '" + n.name + "'; use one of: " + known);
}

unsigned long vma_flags(const fmt::scenario_definition& def, const std::vector<fmt::located_name>& flags) {
    using namespace mm;
    unsigned long out = 0;
    for (const auto& f : flags)
        out |= lookup<unsigned long>(def, f, "vma flag",
                                     {{"VM_READ", VM_READ}, {"VM_WRITE", VM_WRITE}, {"VM_SHARED", VM_SHARED},
                                      {"VM_PFNMAP", VM_PFNMAP}, {"VM_MIXEDMAP", VM_MIXEDMAP},
                                      {"VM_HUGEPAGE", VM_HUGEPAGE}});
    return out;
}

world_plan::vma compile_vma(const fmt::scenario_definition& def, const fmt::vma_definition& v) {
    world_plan::vma out{number(def, v.start), number(def, v.end), vma_flags(def, v.flags),
                        lookup<vma_kind>(def, v.kind, "vma kind", {{"anon", vma_kind::anon}, {"device", vma_kind::device}}),
                        {}, {}};
    if (out.start >= out.end || out.start % mm::PAGE_SIZE != 0 || out.end % mm::PAGE_SIZE != 0)
        def.fail(v.line, "a vma needs page-aligned start < end");
    if ((out.kind == vma_kind::device) != !v.device.empty())
        def.fail(v.kind.line, "a vma has a `device` table exactly when its kind is \"device\"");
    for (const auto& d : v.device) {
        world_plan::device dev{number(def, d.pages), number(def, d.align), false, false, d.may_fall_back};
        for (const auto& size : d.huge)
            (lookup<int>(def, size, "device huge size", {{"pud", 0}, {"pmd", 1}}) == 0 ? dev.pud_huge : dev.pmd_huge) = true;
        out.devices.push_back(dev);
    }
    for (const auto& f : v.prefault) {
        out.prefaults.push_back({number(def, f.address), f.write});
        if (out.prefaults.back().address < out.start || out.prefaults.back().address >= out.end)
            def.fail(f.line, "a prefault address lies outside its vma");
    }
    return out;
}

world_plan compile_world(const fmt::scenario_definition& def) {
    world_plan plan;
    plan.memory_pages = static_cast<unsigned long>(def.memory_pages);
    for (const auto& t : def.tables)
        plan.table_paths.push_back(
            {number(def, t.address),
             lookup<table_level>(def, t.level, "table level",
                                 {{"pud", table_level::pud}, {"pmd", table_level::pmd}, {"pte", table_level::pte}})});
    for (const auto& v : def.vmas) plan.vmas.push_back(compile_vma(def, v));
    return plan;
}

op_args::value argument(const fmt::scenario_definition& def, const parameter& p, const fmt::located_scalar& v) {
    if (p.type == param_type::number) return {number(def, v), {}};
    if (p.type == param_type::flag) {
        if (!std::holds_alternative<bool>(v.value)) def.fail(v.line, "'" + std::string(p.name) + "' must be true or false");
        return {std::get<bool>(v.value) ? 1u : 0u, {}};
    }
    if (!std::holds_alternative<std::string>(v.value)) def.fail(v.line, "'" + std::string(p.name) + "' must be a string");
    return {0, std::get<std::string>(v.value)};
}

bound_call compile_call(const fmt::scenario_definition& def, const world_plan& plan, const fmt::operation_call& call) {
    const operation* op = find_operation(call.op.name);
    if (op == nullptr)
        def.fail(call.op.line, "unknown operation '" + call.op.name + "'; the operations are: " + known_operations() +
                                   " (scenarios/toml/registry.h says how to add one)");
    std::vector<op_args::value> values(op->parameters.size());
    std::vector<bool> given(op->parameters.size());
    for (const auto& [key, value] : call.arguments) {
        std::size_t i = 0;
        while (i < op->parameters.size() && op->parameters[i].name != key.name) ++i;
        if (i == op->parameters.size()) {
            std::string known;
            for (const auto& p : op->parameters) known += (known.empty() ? "" : ", ") + std::string(p.name);
            def.fail(key.line, "operation '" + call.op.name + "' has no argument '" + key.name + "'; its arguments: " + known);
        }
        values[i] = argument(def, op->parameters[i], value);
        given[i] = true;
    }
    for (std::size_t i = 0; i < op->parameters.size(); ++i)
        if (op->parameters[i].required && !given[i])
            def.fail(call.op.line, "operation '" + call.op.name + "' needs '" + std::string(op->parameters[i].name) + "'");
    op_args args(&op->parameters, std::move(values));
    if (op->check != nullptr) {
        const std::string problem = op->check(plan, args);
        if (!problem.empty()) def.fail(call.op.line, "operation '" + call.op.name + "': " + problem);
    }
    return {op, std::move(args)};
}

mm::model_variants compile_variant(const fmt::scenario_definition& def, const fmt::variant_selections& selections) {
    mm::model_variants selected;
    for (const auto& [path_name, choice] : selections.select) {
        const variant_path* path = find_variant_path(path_name.name);
        if (path == nullptr)
            def.fail(path_name.line, "unknown model path '" + path_name.name + "' in select; the paths are: " +
                                         known_variant_paths() + " (model/mm/variants.h)");
        std::string known;
        bool found = false;
        for (const auto& [name, apply] : path->choices) {
            known += (known.empty() ? "" : ", ") + std::string(name);
            if (name == choice.name) apply(selected), found = true;
        }
        if (!found) def.fail(choice.line, "path '" + path_name.name + "' has no variant '" + choice.name + "'; its variants: " + known);
    }
    return selected;
}

compiled_scenario compile(const fmt::scenario_definition& def) {
    compiled_scenario out{def.info.name, compile_world(def), {}, {}, {}};
    for (const auto& thread : def.threads) {
        out.threads.emplace_back();
        for (const auto& call : thread.operations) out.threads.back().push_back(compile_call(def, out.plan, call));
    }
    for (const auto& selections : def.selections) out.variants.push_back(compile_variant(def, selections));
    for (const auto& name : def.invariants) {
        const invariant* check = find_invariant(name.name);
        if (check == nullptr)
            def.fail(name.line, "unknown invariant '" + name.name + "'; the invariants are: " + known_invariants());
        out.invariants.push_back(check);
    }
    return out;
}

struct file_instance : scenario_instance {
    file_instance(const compiled_scenario& s, std::size_t variant) : scenario(s), state(s.plan, s.variants[variant]) {}

    void run_thread(int index) override {
        for (const bound_call& call : scenario.threads[static_cast<std::size_t>(index)]) call.op->run(state, call.args);
    }

    void finish() override {
        for (const invariant* check : scenario.invariants) check->check(state);
    }

    const compiled_scenario& scenario;
    world state;
};

// The engines hand the factory the catalog's own variant_info: its address says
// which scenario and variant to build.
std::unique_ptr<scenario_instance> make(const variant_info& variant) {
    for (const compiled_scenario& s : compiled()) {
        const scenario_info* info = scenario_catalog::instance().find(s.name);
        for (std::size_t i = 0; info != nullptr && i < info->variants.size(); ++i)
            if (&info->variants[i] == &variant) return std::make_unique<file_instance>(s, i);
    }
    throw std::logic_error("internal: no scenario file holds variant '" + variant.name + "'");
}

void bind(const fmt::scenario_definition& def) {
    compiled().push_back(compile(def));
    const scenario_registration toml_registration{def.info, &make};
}

const bool bound = (fmt::add_binder(&bind), true);

}  // namespace

}  // namespace toml_scenario

MMCHECK_ENGINE_END
