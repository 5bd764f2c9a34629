// The S2 seed race (__handle_mm_fault vs a huge pud fault, fix 625110b5e9da) on the
// systematic engines: found with a trace on v5.4, absent on the fixed variant within
// the scenario's exhaustive bound, replayable, deterministic.
#include <gtest/gtest.h>

#include "checker/core/run.h"

namespace mmcheck {
namespace {

constexpr const char* s2 = "s2-handle-mm-fault-vs-huge-pud";

run_options s2_options(const char* variant, engine_kind engine) {
    run_options options;
    options.scenario = s2;
    options.variant = variant;
    options.engine = engine;
    return options;
}

[[maybe_unused]] bool mentions(const std::vector<trace_step>& trace, const std::string& function, const std::string& op) {
    for (const auto& step : trace)
        if (step.function == function && step.op == op) return true;
    return false;
}

#ifdef MMCHECK_TEST_ENGINE_relacy
TEST(s2_on_relacy, buggy_variant_descends_through_the_huge_pud) {
    const run_result result = run(s2_options("v5.4-no-recheck", engine_kind::relacy));
    ASSERT_EQ(result.outcome, verdict::violation);
    EXPECT_EQ(result.violation->kind, violation_kind::descend_through_non_table);
    EXPECT_EQ(result.violation->function, "__handle_mm_fault");
    EXPECT_NE(result.violation->message.find("device memory"), std::string::npos) << result.violation->message;
    // The trace shows the other thread installing the huge pud under the pud lock.
    EXPECT_TRUE(mentions(result.trace, "insert_pfn_pud", "set_pud_at"));
    EXPECT_TRUE(mentions(result.trace, "pmd_alloc", "*pud"));
}

TEST(s2_on_relacy, fixed_variant_passes_the_exhaustive_bounded_search) {
    const run_result result = run(s2_options("fixed-625110b5e9da", engine_kind::relacy));
    EXPECT_EQ(result.outcome, verdict::pass);
    EXPECT_TRUE(result.exhaustive);
    EXPECT_NE(result.bound.find("context bound 2"), std::string::npos) << result.bound;
    EXPECT_GT(result.executions, 1000u);
}

TEST(s2_on_relacy, replaying_the_schedule_gives_the_same_trace) {
    const run_result found = run(s2_options("v5.4-no-recheck", engine_kind::relacy));
    ASSERT_EQ(found.outcome, verdict::violation);
    run_options replay = s2_options("v5.4-no-recheck", engine_kind::relacy);
    replay.schedule = found.schedule;
    const run_result again = run(replay);
    ASSERT_EQ(again.outcome, verdict::violation);
    EXPECT_EQ(again.executions, 1u);
    ASSERT_EQ(again.trace.size(), found.trace.size());
    for (std::size_t i = 0; i < found.trace.size(); ++i) {
        EXPECT_EQ(again.trace[i].function, found.trace[i].function) << "step " << i;
        EXPECT_EQ(again.trace[i].line, found.trace[i].line) << "step " << i;
        EXPECT_EQ(again.trace[i].after, found.trace[i].after) << "step " << i;
    }
}

TEST(s2_on_relacy, same_options_give_the_same_result) {
    const run_result a = run(s2_options("v5.4-no-recheck", engine_kind::relacy));
    const run_result b = run(s2_options("v5.4-no-recheck", engine_kind::relacy));
    EXPECT_EQ(a.executions, b.executions);
    EXPECT_EQ(a.schedule, b.schedule);
    EXPECT_EQ(a.trace.size(), b.trace.size());
}

TEST(s2_on_relacy, random_search_finds_the_bug_too) {
    run_options options = s2_options("v5.4-no-recheck", engine_kind::relacy);
    options.search = search_kind::random;
    options.seed = 7;
    const run_result result = run(options);
    ASSERT_EQ(result.outcome, verdict::violation);
    EXPECT_EQ(result.violation->kind, violation_kind::descend_through_non_table);
}
#endif

#ifdef MMCHECK_TEST_ENGINE_native
TEST(s2_on_native, fixed_variant_survives_stress) {
    run_options options = s2_options("fixed-625110b5e9da", engine_kind::native);
    options.iterations = 200;
    const run_result result = run(options);
    EXPECT_EQ(result.outcome, verdict::pass) << (result.violation ? result.violation->message : "");
}
#endif

TEST(run_requests, unknown_scenario_or_variant_is_a_usage_error) {
    run_options options;
    options.scenario = "no-such-scenario";
    EXPECT_THROW(run(options), usage_error);
    options = s2_options("no-such-variant", engine_kind::relacy);
    EXPECT_THROW(run(options), usage_error);
    options = s2_options("v5.4-no-recheck", engine_kind::relacy);
    options.schedule = "relacy:full:2:not numbers";
    EXPECT_THROW(run(options), usage_error);
    options.schedule = "native:whatever";
    EXPECT_THROW(run(options), usage_error);
}

}  // namespace
}  // namespace mmcheck
