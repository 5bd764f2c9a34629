// The scenario catalog: what each scenario is, its variants and the outcome each
// variant must have. Engine-independent; the bodies live with each engine build.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/report.h"

namespace mmcheck {

struct run_options;
struct run_result;

// What a variant must be reported with: pass (no kind), or one of `kinds`. More
// than one kind is for a race whose orders are each a bug of that code (which one
// an engine reaches first depends on its search order). Written in variant lists
// as std::nullopt, one kind, or {kind, kind}.
struct expected_outcome {
    std::vector<violation_kind> kinds;  // empty: the variant must pass

    expected_outcome() = default;
    expected_outcome(std::nullopt_t) {}
    expected_outcome(violation_kind kind) : kinds{kind} {}
    expected_outcome(std::initializer_list<violation_kind> any_of) : kinds(any_of) {}
    expected_outcome(std::optional<violation_kind> kind) {
        if (kind) kinds.push_back(*kind);
    }

    bool passes() const { return kinds.empty(); }
    bool accepts(violation_kind kind) const;
    // "pass", "walker-incomplete", "walker-incomplete or descend-through-non-table".
    std::string name() const;
};

struct variant_info {
    std::string name;
    std::string description;
    expected_outcome expected;
};

// The bounds a scenario declares for its default run: what `mmcheck run` and the
// suite use when the command line does not say otherwise.
struct exploration_bounds {
    // Relacy: "full" enumerates every interleaving and finishes only for tiny
    // programs; "bounded" is Relacy's context-bound search with `preemptions`.
    std::string relacy_search = "bounded";
    unsigned preemptions = 2;
    std::uint64_t random_iterations = 20000;
    double time_budget_seconds = 120;
};

struct scenario_info {
    std::string name;
    std::string summary;
    std::string source;  // mail thread or kernel commit
    int threads = 2;
    std::vector<variant_info> variants;
    exploration_bounds bounds;
    bool selftest = false;  // a seam test program, hidden from `mmcheck list`
    // A property scenario is checked by property-based testing (RapidCheck) of
    // single-threaded model code instead of by exploring interleavings; it runs the
    // same whichever engine is chosen.
    using property_check = run_result (*)(const variant_info& variant, const run_options& options);
    property_check property = nullptr;

    const variant_info* find_variant(std::string_view variant) const;
};

class scenario_catalog {
public:
    static scenario_catalog& instance();
    // Every engine build registers the same scenarios; the first registration wins.
    void add(scenario_info info);
    const scenario_info* find(std::string_view name) const;
    std::vector<const scenario_info*> all(bool include_selftests = false) const;

private:
    // A deque, not a vector: scenario files are loaded after the C++ scenarios have
    // registered, and the engines keep pointers to scenario_info and variant_info,
    // so an append must never move the ones already there.
    std::deque<scenario_info> scenarios_;
};

}  // namespace mmcheck
