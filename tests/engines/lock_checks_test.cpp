// What the lock checks (model/kernel/detail/lockdep.h) say, on every systematic
// engine: both chains of a lock-order cycle, the recursion, the lock a thread
// ended holding, the mode of a wrong release. The kinds themselves are asserted
// for every program by engine_outcomes_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checker/core/run.h"
#include "tests/engines/systematic_engines.h"

namespace mmcheck {
namespace {

std::string message_of(engine_kind engine, const char* scenario, violation_kind expected) {
    run_options options;
    options.scenario = scenario;
    options.variant = "default";
    options.engine = engine;
    const run_result result = run(options);
    EXPECT_EQ(result.outcome, verdict::violation);
    if (!result.violation) return {};
    EXPECT_EQ(result.violation->kind, expected) << result.violation->message;
    return result.violation->message;
}

void expect_contains(const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << "missing \"" << part << "\" in: " << message;
}

TEST(lock_checks, an_inversion_names_both_chains) {
    for (engine_kind engine : systematic_engines()) {
        SCOPED_TRACE(std::string(engine_name(engine)));
        const std::string m = message_of(engine, "selftest/abba-lock-order", violation_kind::lock_order);
        expect_contains(m, "circular locking dependency");
        expect_contains(m, "thread 1 took a at tests/programs/lock_programs.cpp:");
        expect_contains(m, "while holding b (taken at tests/programs/lock_programs.cpp:");
        expect_contains(m, "thread 0 took b at");
        expect_contains(m, "while holding a");
    }
}

TEST(lock_checks, a_longer_cycle_prints_every_step_of_the_earlier_chain) {
    for (engine_kind engine : systematic_engines()) {
        SCOPED_TRACE(std::string(engine_name(engine)));
        const std::string m = message_of(engine, "selftest/three-class-cycle", violation_kind::lock_order);
        expect_contains(m, "thread 1 took a at");
        expect_contains(m, "while holding c");
        expect_contains(m, "thread 0 took b at");
        expect_contains(m, "thread 0 took c at");
    }
}

TEST(lock_checks, nesting_one_class_unannotated_is_recursive_locking) {
    for (engine_kind engine : systematic_engines()) {
        SCOPED_TRACE(std::string(engine_name(engine)));
        const std::string m = message_of(engine, "selftest/same-class-unannotated", violation_kind::lock_order);
        expect_contains(m, "recursive locking");
        expect_contains(m, "already holding ptl");
    }
}

TEST(lock_checks, lock_balance_names_the_lock_and_the_mode) {
    for (engine_kind engine : systematic_engines()) {
        SCOPED_TRACE(std::string(engine_name(engine)));
        expect_contains(message_of(engine, "selftest/ends-holding-lock", violation_kind::lock_discipline),
                        "thread 1 ended holding lock");
        expect_contains(message_of(engine, "selftest/rwsem-wrong-mode", violation_kind::lock_discipline),
                        "sem released for read but held for write");
        expect_contains(message_of(engine, "selftest/ends-in-rcu", violation_kind::lock_discipline),
                        "ended inside an RCU read-side section");
    }
}

}  // namespace
}  // namespace mmcheck
