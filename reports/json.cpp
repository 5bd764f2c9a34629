#include "reports/json.h"

#include "reports/text.h"

namespace mmcheck {

namespace {

std::string expected_name(const variant_info& variant) {
    return variant.expected.name();
}

// The violation kinds the variant accepts, in declaration order; empty: pass.
nlohmann::json accepted_kinds(const variant_info& variant) {
    nlohmann::json kinds = nlohmann::json::array();
    for (violation_kind kind : variant.expected.kinds) kinds.push_back(violation_name(kind));
    return kinds;
}

std::string got_name(const run_result& result) {
    if (result.outcome == verdict::pass) return "pass";
    if (result.outcome == verdict::incomplete) return "incomplete";
    return std::string(violation_name(result.violation->kind));
}

nlohmann::json violation_json(const violation_report& v) {
    return {{"kind", violation_name(v.kind)}, {"message", v.message}, {"thread", v.thread},
            {"function", v.function},         {"file", v.file},       {"line", v.line}};
}

nlohmann::json trace_json(const std::vector<trace_step>& trace) {
    nlohmann::json steps = nlohmann::json::array();
    for (const trace_step& s : trace)
        steps.push_back({{"thread", s.thread}, {"function", s.function}, {"file", s.file},
                         {"line", s.line},     {"op", s.op},             {"object", s.object},
                         {"before", s.before}, {"after", s.after},       {"locks_held", s.locks_held}});
    return steps;
}

nlohmann::json split_json(const split_summary& s) {
    return {{"depth", s.depth},       {"subtrees", s.subtrees},           {"prefix_runs", s.prefix_runs},
            {"jobs", s.jobs},         {"shard_index", s.shard_index},     {"shard_count", s.shard_count},
            {"subtrees_run", s.results.size()}};
}

}  // namespace

nlohmann::json stats_json(const search_stats& s) {
    return {{"executions", s.executions}, {"runs", s.runs},       {"sleep_set_redundant", s.redundant},
            {"max_depth", s.max_depth},   {"seconds", s.seconds}, {"executions_per_second", s.rate()}};
}

nlohmann::json outcome_json(const variant_outcome& o) {
    const run_result& r = o.result;
    nlohmann::json j{{"scenario", o.scenario->name},
                     {"variant", o.variant->name},
                     {"engine", engine_name(o.options.engine)},
                     {"expected", expected_name(*o.variant)},
                     {"accepted", accepted_kinds(*o.variant)},
                     {"got", got_name(r)},
                     {"as_declared", as_expected(*o.variant, r)},
                     {"executions", r.executions},
                     {"seconds", r.seconds},
                     {"exhaustive", r.exhaustive},
                     {"bound", r.bound},
                     {"notes", r.notes},
                     {"violation", nullptr},
                     {"trace", trace_json(r.trace)},
                     {"schedule", nullptr},
                     {"reproduce", nullptr}};
    if (o.options.search) j["search"] = search_name(*o.options.search);
    if (r.violation) j["violation"] = violation_json(*r.violation);
    if (r.stats) j["stats"] = stats_json(*r.stats);
    if (r.split) j["split"] = split_json(*r.split);
    if (!r.schedule.empty()) {
        j["schedule"] = r.schedule;
        j["reproduce"] = reproduce_command(o.options, r);
    }
    return j;
}

void write_json_report(std::ostream& out, const outcome_list& outcomes) {
    nlohmann::json doc{{"all_as_declared", true}, {"outcomes", nlohmann::json::array()}};
    for (const variant_outcome& o : outcomes) {
        doc["outcomes"].push_back(outcome_json(o));
        if (!as_expected(*o.variant, o.result)) doc["all_as_declared"] = false;
    }
    out << doc.dump(2) << "\n";
}

}  // namespace mmcheck
