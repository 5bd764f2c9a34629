// Every systematic engine in the build must give each seam self-test program its
// declared outcome (tests/programs/seam_programs.cpp), and the native engine must
// run the programs whose outcome does not depend on luck.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checker/core/run.h"
#include "tests/engines/systematic_engines.h"

namespace mmcheck {
namespace {

struct engine_case {
    engine_kind engine;
    std::string scenario;
};

std::string case_name(const testing::TestParamInfo<engine_case>& info) {
    std::string name = std::string(engine_name(info.param.engine)) + "_" + info.param.scenario;
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return name;
}

std::vector<engine_case> systematic_cases() {
    std::vector<engine_case> cases;
    for (engine_kind engine : systematic_engines())
        for (const char* program :
             {"selftest/racy-counter", "selftest/locked-counter", "selftest/lost-update", "selftest/abba-deadlock",
              "selftest/abort-while-others-wait",
              // the lock checks of model/kernel/detail/lockdep.h, must-fail then must-pass
              "selftest/abba-lock-order", "selftest/three-class-cycle", "selftest/same-class-unannotated",
              "selftest/ab-lock-order", "selftest/same-class-nested", "selftest/ends-holding-lock",
              "selftest/rwsem-wrong-mode", "selftest/ends-in-rcu", "selftest/rwsem-balanced",
              // revalidate after locking (model/kernel/revalidate.h)
              "selftest/populate-without-recheck", "selftest/recheck-in-an-earlier-hold",
              "selftest/populate-with-recheck", "selftest/write-twice-after-recheck",
              "selftest/pmd-install-on-snapshot", "selftest/pmd-install-rechecked",
              // no lying intermediate value (model/kernel/detail/intermediate_values.h)
              "selftest/lying-transient-class", "selftest/transient-in-old-class",
              "selftest/transient-in-new-class", "selftest/single-write-per-hold", "selftest/pmd-clear-then-set",
              "selftest/pmd-invalidate-then-set", "selftest/pte-clear-then-set"})
            cases.push_back({engine, program});
    return cases;
}

class systematic_engine : public testing::TestWithParam<engine_case> {};

TEST_P(systematic_engine, gives_the_declared_outcome) {
    run_options options;
    options.scenario = GetParam().scenario;
    options.variant = "default";
    options.engine = GetParam().engine;
    const run_result result = run(options);
    const scenario_info& info = *scenario_catalog::instance().find(options.scenario);
    const variant_info& variant = info.variants.front();
    if (!variant.expected.passes()) {
        ASSERT_EQ(result.outcome, verdict::violation);
        EXPECT_TRUE(variant.expected.accepts(result.violation->kind))
            << "got " << violation_name(result.violation->kind) << ": " << result.violation->message;
        EXPECT_FALSE(result.schedule.empty()) << "a failure must come with a schedule that replays it";
    } else {
        EXPECT_EQ(result.outcome, verdict::pass)
            << (result.violation ? result.violation->message : std::string("incomplete"));
        EXPECT_TRUE(result.exhaustive);
    }
}

INSTANTIATE_TEST_SUITE_P(seam_programs, systematic_engine, testing::ValuesIn(systematic_cases()), case_name);

#ifdef MMCHECK_TEST_ENGINE_native
run_result run_native(const char* scenario, std::uint64_t iterations) {
    run_options options;
    options.scenario = scenario;
    options.variant = "default";
    options.engine = engine_kind::native;
    options.iterations = iterations;
    return run(options);
}

// The native driver notes model threads it could not stop (checker/native).
void expect_no_thread_left_running(const run_result& result) {
    for (const std::string& note : result.notes) EXPECT_EQ(note.find("left running"), std::string::npos) << note;
}

TEST(native_engine, runs_a_correctly_locked_program_without_a_finding) {
    const run_result result = run_native("selftest/locked-counter", 300);
    EXPECT_EQ(result.outcome, verdict::pass);
    EXPECT_EQ(result.executions, 300u);
}

TEST(native_engine, reports_a_deadlock_it_runs_into) {
    // Thread 0 takes a then b, thread 1 b then a; on real threads the ABBA
    // interleaving is likely within a few hundred runs but not certain, so the test
    // asserts only what is certain: either the runs all pass or the finding is a
    // deadlock, never a crash or another kind; and the deadlocked threads are stopped.
    const run_result result = run_native("selftest/abba-deadlock", 300);
    if (result.outcome == verdict::violation) {
        EXPECT_EQ(result.violation->kind, violation_kind::deadlock);
    }
    expect_no_thread_left_running(result);
}

TEST(native_engine, ends_every_thread_of_a_run_that_failed) {
    // Thread 0 fails holding a lock; thread 1 spins on a flag it will never see
    // set, thread 2 on the lock. The run must report thread 0's finding and stop
    // both waiters: none may be left running into the next run.
    const run_result result = run_native("selftest/abort-while-others-wait", 20);
    ASSERT_EQ(result.outcome, verdict::violation);
    EXPECT_EQ(result.violation->kind, violation_kind::assertion) << result.violation->message;
    EXPECT_EQ(result.executions, 1u);
    expect_no_thread_left_running(result);
}
#endif

}  // namespace
}  // namespace mmcheck
