// What the no-lying-intermediate-value check
// (model/kernel/detail/intermediate_values.h) says, on every systematic
// engine: the entry, the reader and where it read, the lying value and its
// class, the values before and after the hold, and the lock. The kinds of the
// seam programs are asserted by engine_outcomes_test.cpp; here also the
// historical change_huge_pmd() race the suite finds with it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checker/core/run.h"
#include "tests/engines/systematic_engines.h"

namespace mmcheck {
namespace {

std::string lying_message(engine_kind engine, const char* scenario, const char* variant) {
    run_options options;
    options.scenario = scenario;
    options.variant = variant;
    options.engine = engine;
    const run_result result = run(options);
    EXPECT_EQ(result.outcome, verdict::violation);
    if (!result.violation) return {};
    EXPECT_EQ(result.violation->kind, violation_kind::lying_value) << result.violation->message;
    return result.violation->message;
}

void expect_contains(const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << "missing \"" << part << "\" in: " << message;
}

TEST(intermediate_check, names_the_reader_the_three_values_and_the_lock) {
    for (engine_kind engine : systematic_engines()) {
        SCOPED_TRACE(std::string(engine_name(engine)));
        const std::string m = lying_message(engine, "selftest/lying-transient-class", "default");
        expect_contains(m, "thread 1 read the word word without its lock at tests/programs/intermediate_programs.cpp:");
        expect_contains(m, "saw 'none' (0), which thread 0 wrote at tests/programs/intermediate_programs.cpp:");
        expect_contains(m, "while holding lock (taken at tests/programs/intermediate_programs.cpp:");
        expect_contains(m, "went from 'small' (5) to 'small' (7) in 2 writes");
    }
}

TEST(intermediate_check, a_cleared_huge_pmd_is_none_between_two_huge_leaves) {
    for (engine_kind engine : systematic_engines()) {
        SCOPED_TRACE(std::string(engine_name(engine)));
        const std::string m = lying_message(engine, "selftest/pmd-clear-then-set", "default");
        // Sites are the callers' of the accessors (pmdp_get_lockless(), pmdp_huge_get_and_clear()).
        expect_contains(m, "thread 1 read the pmd entry@pfn");
        expect_contains(m, "without its lock at tests/programs/intermediate_programs.cpp:");
        expect_contains(m, "and saw 'none' (none), which thread 0 wrote at tests/programs/intermediate_programs.cpp:");
        expect_contains(m, "while holding ptl@pfn");
        expect_contains(m, "went from 'huge leaf' (huge pfn");
        expect_contains(m, "to 'huge leaf' (huge pfn");
    }
}

// ced108037c2a: NUMA hinting's v4.10 change_huge_pmd() against MADV_DONTNEED
// (scenarios/thp_numa_hinting_vs_dontneed.toml): the zap walker is the reader.
TEST(intermediate_check, finds_the_v4_10_change_huge_pmd_race_through_the_zap_walker) {
    for (engine_kind engine : systematic_engines()) {
        SCOPED_TRACE(std::string(engine_name(engine)));
        const std::string m = lying_message(engine, "thp-numa-hinting-vs-dontneed", "v4.10-get-and-clear");
        expect_contains(m, "thread 1 read the pmd entry@pfn");
        expect_contains(m, "at model/mm/memory_zap_huge.cpp:");
        expect_contains(m, "(zap_pmd_range) and saw 'none' (none), which thread 0 wrote at");
        expect_contains(m, "(change_huge_pmd_v4_10)");
        expect_contains(m, "went from 'huge leaf'");
    }
}

}  // namespace
}  // namespace mmcheck
