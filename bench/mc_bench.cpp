// mc_bench [output.md] [relacy-budget-seconds]: one run of each search on the same
// model and machine. Exhaustive rows: executions and wall time to exhaust with our
// DPOR, Relacy's full search and Relacy's context bound (each Relacy run under the
// budget; "not finished" when it runs out). First-bug rows: executions and time
// until the buggy variant's declared violation with DPOR, PCT, random and Relacy
// random.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "checker/core/run.h"
#include "scenarios/format/scenario_files.h"

namespace mmcheck {
namespace {

double relacy_budget = 5;

run_result run_one(const std::string& scenario, const std::string& variant, engine_kind engine, search_kind search,
                   double budget) {
    run_options o;
    o.scenario = scenario;
    o.variant = variant;
    o.engine = engine;
    o.search = search;
    o.time_budget_seconds = budget;
    o.iterations = 100000;
    return run(o);
}

std::string cell(const run_result& r) {
    char text[120];
    const double rate = r.seconds > 0 ? static_cast<double>(r.executions) / r.seconds : 0;
    std::snprintf(text, sizeof text, "%llu in %.3f s (%.0f/s)%s", static_cast<unsigned long long>(r.executions),
                  r.seconds, rate, r.outcome == verdict::incomplete ? ", not finished" : "");
    return text;
}

std::string first_bug(const run_result& r, const variant_info& v) {
    if (!as_expected(v, r)) return r.outcome == verdict::incomplete ? "not found in budget" : "other outcome";
    char text[80];
    std::snprintf(text, sizeof text, "%llu exec, %.1f ms", static_cast<unsigned long long>(r.executions),
                  r.seconds * 1000);
    return text;
}

void exhaustive_rows(std::ostream& out) {
    out << "| program / scenario | variant | mc DPOR | Relacy full | Relacy context bound | DPOR vs full |\n"
        << "|---|---|---|---|---|---|\n";
    for (const scenario_info* s : scenario_catalog::instance().all(true)) {
        const bool classic = s->name.rfind("selftest/mc/", 0) == 0;
        if ((s->selftest && !classic) || s->property) continue;
        for (const variant_info& v : s->variants) {
            if (v.expected_violation) continue;
            const run_result dpor = run_one(s->name, v.name, engine_kind::mc, search_kind::dpor, 600);
            const run_result full = run_one(s->name, v.name, engine_kind::relacy, search_kind::full, relacy_budget);
            const run_result bound = run_one(s->name, v.name, engine_kind::relacy, search_kind::bounded, relacy_budget);
            char ratio[64];
            std::snprintf(ratio, sizeof ratio, "%s%.0fx fewer", full.outcome == verdict::incomplete ? ">= " : "",
                          static_cast<double>(full.executions) / static_cast<double>(std::max<std::uint64_t>(dpor.executions, 1)));
            out << "| " << s->name << " | " << v.name << " | " << cell(dpor) << " | " << cell(full) << " | "
                << cell(bound) << " | " << ratio << " |\n";
            std::cout << "." << std::flush;
        }
    }
}

void first_bug_rows(std::ostream& out) {
    out << "\n| scenario | buggy variant | mc DPOR | mc PCT (d=3) | mc random | Relacy random |\n"
        << "|---|---|---|---|---|---|\n";
    for (const scenario_info* s : scenario_catalog::instance().all(false)) {
        if (s->property) continue;
        for (const variant_info& v : s->variants) {
            if (!v.expected_violation) continue;
            out << "| " << s->name << " | " << v.name;
            for (auto [engine, search] : {std::pair{engine_kind::mc, search_kind::dpor}, {engine_kind::mc, search_kind::pct},
                                          {engine_kind::mc, search_kind::random}, {engine_kind::relacy, search_kind::random}})
                out << " | " << first_bug(run_one(s->name, v.name, engine, search, relacy_budget), v);
            out << " |\n";
            std::cout << "." << std::flush;
        }
    }
}

}  // namespace
}  // namespace mmcheck

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "mc_bench.md";
    if (argc > 2) mmcheck::relacy_budget = std::stod(argv[2]);
    mmcheck::scenario_format::ensure_loaded();  // the scenario files, as the CLI loads them
    std::ostringstream table;
    table << "Command: `mc_bench " << path << " " << mmcheck::relacy_budget << "` (Relacy budget "
          << mmcheck::relacy_budget << " s per run)\n\n";
    mmcheck::exhaustive_rows(table);
    mmcheck::first_bug_rows(table);
    std::cout << "\n" << table.str();
    std::ofstream(path) << table.str();
    return 0;
}
