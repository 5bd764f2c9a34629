#include "scenarios/format/loader.h"

#include <algorithm>
#include <sstream>

#include <toml++/toml.h>

namespace mmcheck::scenario_format {

namespace {

unsigned line_of(const toml::node& node) { return std::max(1u, static_cast<unsigned>(node.source().begin.line)); }

std::string type_of(const toml::node& node) {
    std::ostringstream out;
    out << node.type();
    return out.str();
}

// One TOML table of the file, with the checks every table needs.
class table_reader {
public:
    table_reader(const scenario_definition& def, const toml::table& table, std::string what)
        : def_(def), table_(table), what_(std::move(what)) {}

    unsigned line() const { return line_of(table_); }

    // A key the table does not know is most often a typo: name it and the keys it has.
    void allow(std::initializer_list<std::string_view> keys) const {
        for (const auto& [key, node] : table_) {
            if (std::find(keys.begin(), keys.end(), key.str()) != keys.end()) continue;
            std::string known;
            for (auto k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
            def_.fail(line_of(node), "unknown key '" + std::string(key.str()) + "' in " + what_ + "; its keys are: " + known);
        }
    }

    const toml::node* find(std::string_view key) const { return table_.get(key); }

    const toml::node& need(std::string_view key) const {
        const toml::node* node = find(key);
        if (node == nullptr) def_.fail(line(), what_ + " has no '" + std::string(key) + "' (required)");
        return *node;
    }

    template <class T>
    T typed(const toml::node& node, std::string_view key, const char* type_name) const {
        auto v = node.value_exact<T>();
        if (!v)
            def_.fail(line_of(node), "'" + std::string(key) + "' in " + what_ + " must be " + type_name + ", not " +
                                         type_of(node));
        return *v;
    }

    std::string text(std::string_view key) const { return typed<std::string>(need(key), key, "a string"); }
    located_name name(std::string_view key) const {
        const toml::node& node = need(key);
        return {typed<std::string>(node, key, "a string"), line_of(node)};
    }
    template <class T>
    T optional(std::string_view key, T fallback, const char* type_name) const {
        const toml::node* node = find(key);
        return node ? typed<T>(*node, key, type_name) : fallback;
    }

    located_scalar scalar_at(const toml::node& node, std::string_view key) const {
        if (auto i = node.value_exact<std::int64_t>()) return {*i, line_of(node)};
        if (auto b = node.value_exact<bool>()) return {*b, line_of(node)};
        if (auto s = node.value_exact<std::string>()) return {*s, line_of(node)};
        def_.fail(line_of(node), "'" + std::string(key) + "' in " + what_ +
                                     " must be an integer, a boolean or a string, not " + type_of(node));
    }
    located_scalar scalar(std::string_view key) const { return scalar_at(need(key), key); }

    std::vector<located_name> names(std::string_view key) const {
        std::vector<located_name> out;
        const toml::node* node = find(key);
        if (node == nullptr) return out;
        const toml::array* array = node->as_array();
        if (array == nullptr) def_.fail(line_of(*node), "'" + std::string(key) + "' must be an array of strings");
        for (const toml::node& item : *array) out.push_back({typed<std::string>(item, key, "a string"), line_of(item)});
        return out;
    }

    // An array of tables, written [[key]] or key = [{...}, ...].
    std::vector<const toml::table*> tables(std::string_view key) const {
        std::vector<const toml::table*> out;
        const toml::node* node = find(key);
        if (node == nullptr) return out;
        const toml::array* array = node->as_array();
        if (array == nullptr) def_.fail(line_of(*node), "'" + std::string(key) + "' must be an array of tables");
        for (const toml::node& item : *array) {
            if (!item.is_table()) def_.fail(line_of(item), "each '" + std::string(key) + "' entry must be a table");
            out.push_back(item.as_table());
        }
        return out;
    }

    const toml::table* table(std::string_view key) const {
        const toml::node* node = find(key);
        if (node != nullptr && !node->is_table()) def_.fail(line_of(*node), "'" + std::string(key) + "' must be a table");
        return node ? node->as_table() : nullptr;
    }

private:
    const scenario_definition& def_;
    const toml::table& table_;
    std::string what_;
};

operation_call read_operation(const scenario_definition& def, const toml::table& t) {
    const table_reader r(def, t, "an operation");
    operation_call call{r.name("op"), {}};
    for (const auto& [key, node] : t) {
        if (key.str() == "op") continue;
        call.arguments.push_back({{std::string(key.str()), line_of(node)}, r.scalar_at(node, key.str())});
    }
    return call;
}

void read_threads(scenario_definition& def, const table_reader& root) {
    for (const toml::table* t : root.tables("thread")) {
        const table_reader r(def, *t, "[[thread]]");
        r.allow({"ops"});
        thread_definition thread;
        thread.line = r.line();
        for (const toml::table* op : r.tables("ops")) thread.operations.push_back(read_operation(def, *op));
        if (thread.operations.empty()) def.fail(r.line(), "a thread needs at least one operation in 'ops'");
        def.threads.push_back(std::move(thread));
    }
    const auto n = def.threads.size();
    if (n < 2 || n > 4)
        def.fail(root.line(), "a scenario has 2 to 4 [[thread]] tables (the engines run 2, 3 or 4 threads); this one has " +
                                  std::to_string(n));
    def.info.threads = static_cast<int>(n);
}

void read_vma_device(scenario_definition& def, vma_definition& vma, const table_reader& r) {
    const toml::table* t = r.table("device");
    if (t == nullptr) return;
    const table_reader d(def, *t, "a vma's device");
    d.allow({"pages", "align", "huge", "may_fall_back"});
    vma.device.push_back({d.scalar("pages"), d.find("align") ? d.scalar("align") : d.scalar("pages"), d.names("huge"),
                          d.optional<bool>("may_fall_back", true, "a boolean"), d.line()});
}

void read_vmas(scenario_definition& def, const table_reader& root) {
    for (const toml::table* t : root.tables("vma")) {
        const table_reader r(def, *t, "[[vma]]");
        r.allow({"start", "end", "kind", "flags", "device", "prefault"});
        vma_definition vma{r.scalar("start"), r.scalar("end"), r.name("kind"), r.names("flags"), {}, {}, r.line()};
        read_vma_device(def, vma, r);
        for (const toml::table* p : r.tables("prefault")) {
            const table_reader f(def, *p, "a prefault");
            f.allow({"address", "write"});
            vma.prefault.push_back({f.scalar("address"), f.optional<bool>("write", false, "a boolean"), f.line()});
        }
        def.vmas.push_back(std::move(vma));
    }
}

void read_mm(scenario_definition& def, const table_reader& root) {
    const toml::table* t = root.table("mm");
    if (t == nullptr) return;
    const table_reader r(def, *t, "[mm]");
    r.allow({"pages", "tables"});
    def.memory_pages = r.optional<std::int64_t>("pages", def.memory_pages, "an integer");
    if (def.memory_pages < 4 || def.memory_pages > 4096)
        def.fail(r.line(), "[mm] pages must be between 4 and 4096 (the model's memory, in pages)");
    for (const toml::table* table : r.tables("tables")) {
        const table_reader tr(def, *table, "an [mm] tables entry");
        tr.allow({"address", "level"});
        def.tables.push_back({tr.scalar("address"), tr.name("level")});
    }
}

violation_kind read_violation_kind(const scenario_definition& def, const located_name& expect) {
    if (auto kind = parse_violation(expect.name); kind && *kind != violation_kind::none) return *kind;
    std::string known = "pass";
    for (violation_kind k : all_violation_kinds())
        if (k != violation_kind::none) known += ", " + std::string(violation_name(k));
    def.fail(expect.line, "unknown expected outcome '" + expect.name + "'; use one of: " + known);
}

// `expect = "pass"`, `expect = "KIND"`, or `expect = ["KIND", "KIND", ...]` (any of them).
expected_outcome read_expected(const scenario_definition& def, const table_reader& r) {
    if (!r.need("expect").is_array()) {
        const located_name expect = r.name("expect");
        if (expect.name == "pass") return std::nullopt;
        return read_violation_kind(def, expect);
    }
    const std::vector<located_name> any_of = r.names("expect");
    if (any_of.empty()) def.fail(r.line(), "'expect' lists no violation kind; write \"pass\" for a variant that must pass");
    expected_outcome outcome;
    for (const located_name& kind : any_of) {
        if (kind.name == "pass") def.fail(kind.line, "'pass' cannot be listed with violation kinds in 'expect'");
        const violation_kind k = read_violation_kind(def, kind);
        if (outcome.accepts(k)) def.fail(kind.line, "'" + kind.name + "' is listed twice in 'expect'");
        outcome.kinds.push_back(k);
    }
    return outcome;
}

void read_variants(scenario_definition& def, const table_reader& root) {
    for (const toml::table* t : root.tables("variant")) {
        const table_reader r(def, *t, "[[variant]]");
        r.allow({"name", "description", "select", "expect"});
        const located_name name = r.name("name");
        if (def.info.find_variant(name.name) != nullptr) def.fail(name.line, "a second variant named '" + name.name + "'");
        variant_selections selections{{}, r.line()};
        if (const toml::table* select = r.table("select"))
            for (const auto& [path, choice] : *select)
                selections.select.push_back({{std::string(path.str()), line_of(choice)},
                                             {r.typed<std::string>(choice, path.str(), "a string"), line_of(choice)}});
        def.info.variants.push_back({name.name, r.text("description"), read_expected(def, r)});
        def.selections.push_back(std::move(selections));
    }
    if (def.info.variants.empty()) def.fail(root.line(), "a scenario needs at least one [[variant]]");
}

void read_bounds(scenario_definition& def, const table_reader& root) {
    const toml::table* t = root.table("bounds");
    if (t == nullptr) return;
    const table_reader r(def, *t, "[bounds]");
    r.allow({"relacy_search", "preemptions", "iterations", "time_budget"});
    exploration_bounds& b = def.info.bounds;
    b.relacy_search = r.optional<std::string>("relacy_search", b.relacy_search, "a string");
    if (b.relacy_search != "full" && b.relacy_search != "bounded" && b.relacy_search != "random")
        def.fail(r.find("relacy_search")->source().begin.line,
                 "relacy_search must be full, bounded or random, not '" + b.relacy_search + "'");
    const auto preemptions = r.optional<std::int64_t>("preemptions", b.preemptions, "an integer");
    const auto iterations = r.optional<std::int64_t>("iterations", static_cast<std::int64_t>(b.random_iterations), "an integer");
    if (preemptions < 0 || preemptions > 100 || iterations < 1)
        def.fail(r.line(), "[bounds] preemptions must be 0..100 and iterations at least 1");
    b.preemptions = static_cast<unsigned>(preemptions);
    b.random_iterations = static_cast<std::uint64_t>(iterations);
    if (const toml::node* budget = r.find("time_budget")) {
        auto seconds = budget->value<double>();  // an integer or a float
        if (!seconds || *seconds <= 0) def.fail(line_of(*budget), "time_budget must be a positive number of seconds");
        b.time_budget_seconds = *seconds;
    }
}

}  // namespace

scenario_definition read_scenario_file(const std::string& path) {
    scenario_definition def;
    def.file = path;
    toml::table root_table;
    try {
        root_table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        def.fail(std::max(1u, static_cast<unsigned>(e.source().begin.line)),
                 "TOML syntax: " + std::string(e.description()));
    }
    const table_reader root(def, root_table, "the scenario");
    root.allow({"name", "summary", "source", "invariants", "bounds", "mm", "vma", "thread", "variant"});
    const located_name name = root.name("name");
    def.info.name = name.name;
    def.name_line = name.line;
    def.info.summary = root.text("summary");
    def.info.source = root.text("source");
    read_bounds(def, root);
    read_mm(def, root);
    read_vmas(def, root);
    read_threads(def, root);
    read_variants(def, root);
    def.invariants = root.names("invariants");
    if (root.find("invariants") == nullptr) def.invariants.push_back({"page-table-census", root.line()});
    return def;
}

}  // namespace mmcheck::scenario_format
