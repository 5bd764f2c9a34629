// Programs that must fail, each with its kind, on every systematic mc search; and
// random/PCT runs that are reproducible from their seed.
#include <gtest/gtest.h>

#include "mc_test_util.h"

namespace mmcheck::mc_test {
namespace {

struct must_fail {
    const char* scenario;
    const char* kind;
};

const must_fail failing[] = {
    {"selftest/racy-counter", "data-race"},
    {"selftest/lost-update", "assertion"},
    {"selftest/abba-deadlock", "deadlock"},
    {"selftest/mc/mp-relaxed", "data-race"},
    {"selftest/mc/rwsem-reader-writes", "data-race"},
    {"selftest/mc/livelock", "livelock"},
    {"selftest/mc/choice-assert", "assertion"},
    {"selftest/mc/table-freed-under-walker", "table-use-after-free"},
    {"selftest/mc/grace-period-deadlock", "deadlock"},
};

TEST(mc_failures, each_program_fails_with_its_kind_on_every_systematic_search) {
    for (const must_fail& f : failing)
        for (search_kind search : {search_kind::dpor, search_kind::dfs, search_kind::bounded}) {
            SCOPED_TRACE(std::string(f.scenario) + " / " + std::string(search_name(search)));
            const run_result r = run_mc(f.scenario, search);
            EXPECT_EQ(kind_of(r), f.kind) << (r.violation ? r.violation->message : "");
            EXPECT_EQ(r.schedule.rfind("mc:", 0), 0u);
            EXPECT_FALSE(r.trace.empty());
        }
}

// A trace shows each write as "before -> after": for a plain word as for a marked
// one, the before of each write of `count` is what the previous write stored.
TEST(mc_failures, a_trace_gives_each_plain_write_the_value_it_replaced) {
    const run_result r = run_mc("selftest/racy-counter", search_kind::dpor);
    ASSERT_TRUE(r.violation);
    std::string stored = "0";
    int writes = 0;
    for (const trace_step& s : r.trace) {
        if (s.object != "count" || s.op != "write") continue;
        ++writes;
        EXPECT_EQ(s.before, stored) << "write " << writes << " at " << s.file << ":" << s.line;
        stored = s.after;
    }
    EXPECT_GE(writes, 1);
}

TEST(mc_failures, deadlock_message_names_the_wait_for_cycle) {
    const run_result r = run_mc("selftest/abba-deadlock", search_kind::dpor);
    ASSERT_TRUE(r.violation);
    EXPECT_NE(r.violation->message.find("thread 0 waits for"), std::string::npos) << r.violation->message;
    EXPECT_NE(r.violation->message.find("thread 1 waits for"), std::string::npos) << r.violation->message;
}

TEST(mc_failures, grace_period_deadlock_names_the_reader_it_waits_for) {
    const run_result r = run_mc("selftest/mc/grace-period-deadlock", search_kind::dpor);
    ASSERT_TRUE(r.violation);
    EXPECT_NE(r.violation->message.find("thread 0 waits for an RCU grace period, which waits for thread 1"),
              std::string::npos)
        << r.violation->message;
}

// The grace period is a blocking wait: the table is freed only after the walker
// left, on every search, and DPOR explores both sides of the free.
TEST(mc_failures, a_table_freed_after_a_grace_period_is_never_used_after_free) {
    for (const char* scenario : {"selftest/mc/table-freed-after-synchronize-rcu", "selftest/mc/table-freed-by-call-rcu"})
        for (search_kind search : {search_kind::dpor, search_kind::dfs, search_kind::bounded}) {
            SCOPED_TRACE(std::string(scenario) + " / " + std::string(search_name(search)));
            const run_result r = run_mc(scenario, search);
            EXPECT_EQ(kind_of(r), "pass") << (r.violation ? r.violation->message : "");
            EXPECT_TRUE(r.exhaustive);
            EXPECT_GE(r.executions, 2u);
        }
}

TEST(mc_failures, ordered_message_passing_is_not_a_race) {
    EXPECT_EQ(kind_of(run_mc("selftest/mc/mp-release-acquire", search_kind::dpor)), "pass");
    EXPECT_EQ(kind_of(run_mc("selftest/mc/mp-fences", search_kind::dpor)), "pass");
}

TEST(mc_seeds, the_same_seed_gives_the_same_result) {
    for (search_kind search : {search_kind::random, search_kind::pct})
        for (const char* scenario : {"selftest/lost-update", "selftest/mc/choice-assert", "selftest/mc/lastzero-3"}) {
            SCOPED_TRACE(std::string(scenario) + " / " + std::string(search_name(search)));
            const run_result a = run_mc(scenario, search, 7, 500);
            const run_result b = run_mc(scenario, search, 7, 500);
            EXPECT_EQ(kind_of(a), kind_of(b));
            EXPECT_EQ(a.executions, b.executions);
            EXPECT_EQ(a.schedule, b.schedule);
        }
}

TEST(mc_seeds, random_and_pct_find_the_lost_update) {
    EXPECT_EQ(kind_of(run_mc("selftest/lost-update", search_kind::random, 3, 1000)), "assertion");
    const run_result pct = run_mc("selftest/lost-update", search_kind::pct, 3, 1000);
    EXPECT_EQ(kind_of(pct), "assertion");
    bool bound_printed = false;
    for (const auto& note : pct.notes) bound_printed = bound_printed || note.find("probability >=") != std::string::npos;
    EXPECT_TRUE(bound_printed);
}

}  // namespace
}  // namespace mmcheck::mc_test
