// mc_bench [output.md] [relacy-budget-seconds] [name-prefix]: one run of each search on the same
// model and machine. Exhaustive rows: executions and wall time to exhaust with our
// DPOR, Relacy's full search and Relacy's context bound (each Relacy run under the
// budget; "not finished" when it runs out), and the executions/s of our DFS against
// Relacy's full search, both enumerating interleavings under the same budget (a run
// that finishes is repeated for a quarter of a second, see sustained_rate()).
// First-bug rows: executions and time until the buggy variant's declared violation
// with DPOR, PCT, random and Relacy random, and the median per search. Jobs rows:
// wall time of a split search with --jobs 1 and --jobs 2. With a name prefix, only
// the scenarios and programs whose names start with it (e.g. "selftest/mc/", "s5-").
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "checker/core/run.h"
#include "scenarios/format/scenario_files.h"

namespace mmcheck {
namespace {

double relacy_budget = 5;
std::string only_prefix;  // empty: every scenario

bool selected(const std::string& name) { return name.rfind(only_prefix, 0) == 0; }

run_result run_one(const std::string& scenario, const std::string& variant, engine_kind engine, search_kind search,
                   double budget, unsigned jobs = 0) {
    run_options o;
    o.jobs = jobs;
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

double rate(const run_result& r) { return r.seconds > 0 ? static_cast<double>(r.executions) / r.seconds : 0; }

// Executions/s of a search over repeated runs: a run that finishes in well under a
// millisecond measures its set-up, not its executions, so a finished run is
// repeated until the runs add up to a quarter of a second (each engine alike).
double sustained_rate(const run_result& first, const std::string& scenario, const std::string& variant,
                      engine_kind engine, search_kind search, double budget) {
    if (first.outcome == verdict::incomplete) return rate(first);
    double seconds = first.seconds;
    double executions = static_cast<double>(first.executions);
    for (int runs = 1; seconds < 0.25 && runs < 100000; ++runs) {
        const run_result again = run_one(scenario, variant, engine, search, budget);
        seconds += again.seconds;
        executions += static_cast<double>(again.executions);
    }
    return seconds > 0 ? executions / seconds : 0;
}

void exhaustive_rows(std::ostream& out) {
    out << "| program / scenario | variant | mc DPOR | Relacy full | Relacy context bound | DPOR vs full "
           "| mc DFS | DFS/s vs full/s |\n"
        << "|---|---|---|---|---|---|---|---|\n";
    for (const scenario_info* s : scenario_catalog::instance().all(true)) {
        const bool classic = s->name.rfind("selftest/mc/", 0) == 0;
        if ((s->selftest && !classic) || s->property || !selected(s->name)) continue;
        for (const variant_info& v : s->variants) {
            if (!v.expected.passes()) continue;
            const run_result dpor = run_one(s->name, v.name, engine_kind::mc, search_kind::dpor, 600);
            const run_result full = run_one(s->name, v.name, engine_kind::relacy, search_kind::full, relacy_budget);
            const run_result bound = run_one(s->name, v.name, engine_kind::relacy, search_kind::bounded, relacy_budget);
            char ratio[64];
            std::snprintf(ratio, sizeof ratio, "%s%.0fx fewer", full.outcome == verdict::incomplete ? ">= " : "",
                          static_cast<double>(full.executions) / static_cast<double>(std::max<std::uint64_t>(dpor.executions, 1)));
            const run_result dfs = run_one(s->name, v.name, engine_kind::mc, search_kind::dfs, relacy_budget);
            const double full_rate =
                sustained_rate(full, s->name, v.name, engine_kind::relacy, search_kind::full, relacy_budget);
            const double dfs_rate = sustained_rate(dfs, s->name, v.name, engine_kind::mc, search_kind::dfs, relacy_budget);
            char speed[32];
            std::snprintf(speed, sizeof speed, "%.2f", full_rate > 0 ? dfs_rate / full_rate : 0.0);
            out << "| " << s->name << " | " << v.name << " | " << cell(dpor) << " | " << cell(full) << " | "
                << cell(bound) << " | " << ratio << " | " << cell(dfs) << " | " << speed << " |\n";
            std::cout << "." << std::flush;
        }
    }
}

double median(std::vector<double> xs) {
    if (xs.empty()) return 0;
    std::sort(xs.begin(), xs.end());
    const std::size_t n = xs.size();
    return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

void first_bug_rows(std::ostream& out) {
    out << "\n| scenario | buggy variant | mc DPOR | mc PCT (d=3) | mc random | Relacy random |\n"
        << "|---|---|---|---|---|---|\n";
    const std::pair<engine_kind, search_kind> searches[] = {{engine_kind::mc, search_kind::dpor},
                                                           {engine_kind::mc, search_kind::pct},
                                                           {engine_kind::mc, search_kind::random},
                                                           {engine_kind::relacy, search_kind::random}};
    std::vector<double> ms[4];
    unsigned missed[4] = {};
    for (const scenario_info* s : scenario_catalog::instance().all(false)) {
        if (s->property || !selected(s->name)) continue;
        for (const variant_info& v : s->variants) {
            if (v.expected.passes()) continue;
            out << "| " << s->name << " | " << v.name;
            for (int i = 0; i < 4; ++i) {
                const run_result r = run_one(s->name, v.name, searches[i].first, searches[i].second, relacy_budget);
                out << " | " << first_bug(r, v);
                if (as_expected(v, r))
                    ms[i].push_back(r.seconds * 1000);
                else
                    ++missed[i];
            }
            out << " |\n";
            std::cout << "." << std::flush;
        }
    }
    out << "| median of the found | (not found or other outcome) ";
    for (int i = 0; i < 4; ++i) {
        char text[64];
        std::snprintf(text, sizeof text, "| %.1f ms (%u) ", median(ms[i]), missed[i]);
        out << text;
    }
    out << "|\n";
}

// Wall time of the same split search on one and two workers: the classic programs
// to exhaustion, and scenarios' DFS under the budget (executions/s compared).
void jobs_rows(std::ostream& out) {
    out << "\n| program / scenario | variant | search | --jobs 1 | --jobs 2 | speed-up |\n"
        << "|---|---|---|---|---|---|\n";
    const struct {
        const char* scenario;
        const char* variant;
        search_kind search;
        double budget;
    } rows[] = {
        {"selftest/mc/indexer-4", "default", search_kind::dpor, 600},
        {"selftest/mc/sigma-3", "default", search_kind::dpor, 600},
        {"selftest/mc/filesystem-2", "default", search_kind::dfs, 600},
        {"selftest/mc/sigma-3", "default", search_kind::dfs, 600},
        {"s3-hmm-mm-pt-iter-vs-thp-split", "lockless-snapshot", search_kind::dfs, relacy_budget},
        {"s4-migrate-insert-vs-huge-fault", "v4.14-pmd-trans-unstable", search_kind::dfs, relacy_budget},
    };
    for (const auto& row : rows) {
        if (!selected(row.scenario)) continue;
        const run_result one = run_one(row.scenario, row.variant, engine_kind::mc, row.search, row.budget, 1);
        const run_result two = run_one(row.scenario, row.variant, engine_kind::mc, row.search, row.budget, 2);
        const bool finished = one.outcome != verdict::incomplete && two.outcome != verdict::incomplete;
        char speed[64];
        std::snprintf(speed, sizeof speed, "%.2fx %s", finished ? one.seconds / two.seconds : rate(two) / rate(one),
                      finished ? "(wall time)" : "(executions/s)");
        out << "| " << row.scenario << " | " << row.variant << " | " << search_name(row.search) << " | " << cell(one)
            << " | " << cell(two) << " | " << speed << " |\n";
        std::cout << "." << std::flush;
    }
}

}  // namespace
}  // namespace mmcheck

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "mc_bench.md";
    if (argc > 2) mmcheck::relacy_budget = std::stod(argv[2]);
    if (argc > 3) mmcheck::only_prefix = argv[3];
    mmcheck::scenario_format::ensure_loaded();  // the scenario files, as the CLI loads them
    std::ostringstream table;
    table << "Command: `mc_bench " << path << " " << mmcheck::relacy_budget
          << (mmcheck::only_prefix.empty() ? "" : " " + mmcheck::only_prefix) << "` (Relacy budget "
          << mmcheck::relacy_budget << " s per run)\n\n";
    mmcheck::exhaustive_rows(table);
    mmcheck::first_bug_rows(table);
    mmcheck::jobs_rows(table);
    std::cout << "\n" << table.str();
    std::ofstream(path) << table.str();
    return 0;
}
