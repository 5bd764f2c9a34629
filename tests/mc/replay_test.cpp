// Replay round trip: a failure's printed schedule, replayed, gives the same
// violation and the same trace, step for step.
#include <gtest/gtest.h>

#include "mc_test_util.h"

namespace mmcheck::mc_test {
namespace {

void expect_same_trace(const std::vector<trace_step>& a, const std::vector<trace_step>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        SCOPED_TRACE("step " + std::to_string(i + 1));
        EXPECT_EQ(a[i].thread, b[i].thread);
        EXPECT_EQ(a[i].function, b[i].function);
        EXPECT_EQ(a[i].file, b[i].file);
        EXPECT_EQ(a[i].line, b[i].line);
        EXPECT_EQ(a[i].op, b[i].op);
        EXPECT_EQ(a[i].object, b[i].object);
        EXPECT_EQ(a[i].before, b[i].before);
        EXPECT_EQ(a[i].after, b[i].after);
        EXPECT_EQ(a[i].locks_held, b[i].locks_held);
    }
}

TEST(mc_replay, a_failing_schedule_replays_to_the_same_report) {
    for (const char* scenario : {"selftest/racy-counter", "selftest/lost-update", "selftest/abba-deadlock",
                                 "selftest/mc/livelock", "selftest/mc/choice-assert"})
        for (search_kind search : {search_kind::dpor, search_kind::pct}) {
            SCOPED_TRACE(scenario);
            const run_result found = run_mc(scenario, search, 5, 2000);
            ASSERT_EQ(found.outcome, verdict::violation);
            run_options o;
            o.scenario = scenario;
            o.variant = "default";
            o.engine = engine_kind::mc;
            o.schedule = found.schedule;
            const run_result again = run(o);
            ASSERT_EQ(again.outcome, verdict::violation);
            EXPECT_EQ(again.violation->kind, found.violation->kind);
            EXPECT_EQ(again.violation->message, found.violation->message);
            EXPECT_EQ(again.violation->line, found.violation->line);
            EXPECT_EQ(again.schedule, found.schedule);
            expect_same_trace(found.trace, again.trace);
        }
}

TEST(mc_replay, a_malformed_schedule_is_a_usage_error) {
    run_options o;
    o.scenario = "selftest/lost-update";
    o.variant = "default";
    o.engine = engine_kind::mc;
    o.schedule = "mc:ab?";
    EXPECT_THROW(run(o), usage_error);
    o.schedule = "mc:a.";
    EXPECT_THROW(run(o), usage_error);
}

}  // namespace
}  // namespace mmcheck::mc_test
