// Cross-check, when Relacy is in the build: every self-test program gets the same
// verdict on the mc engine (DPOR) and on Relacy's full search (when it finishes
// within its budget), and every scenario x variant the same verdict on mc DPOR and
// on Relacy within the scenario's declared bounds.
#include <gtest/gtest.h>

#include "mc_test_util.h"
#include "scenarios/format/scenario_files.h"

namespace mmcheck::mc_test {
namespace {

#ifdef MMCHECK_TEST_ENGINE_relacy
TEST(mc_cross_check, self_tests_agree_with_relacy) {
    int compared = 0;
    // run() loads the scenario files on first use, which grows the catalog:
    // load them before holding pointers into it.
    scenario_format::ensure_loaded();
    for (const scenario_info* s : scenario_catalog::instance().all(true)) {
        // Relacy's rwsem has no downgrade (unlock, then lock_shared: a writer can get
        // in between), so on Relacy the exact-downgrade program fails by design; and
        // Relacy cannot block a thread on a grace period, so the one that never ends
        // is a spinning waiter to it (livelock), a blocked one to mc (deadlock).
        if (!s->selftest || s->name == "selftest/mc/downgrade" || s->name == "selftest/mc/grace-period-deadlock")
            continue;
        SCOPED_TRACE(s->name);
        run_options o;
        o.scenario = s->name;
        o.variant = "default";
        o.engine = engine_kind::relacy;
        o.search = search_kind::full;
        o.time_budget_seconds = 5;
        const run_result relacy = run(o);
        if (relacy.outcome == verdict::incomplete) continue;
        const run_result mc = run_mc(s->name, search_kind::dpor);
        EXPECT_EQ(kind_of(mc), kind_of(relacy));
        EXPECT_TRUE(as_expected(s->variants.front(), mc));
        ++compared;
    }
    EXPECT_GE(compared, 20);
}

// The same verdict: both pass, or both report the same violation kind. A variant
// that declares several kinds (a race whose orders are each a bug, see
// scenarios/README.md) may be reported with different ones, each of them declared.
void expect_same_verdict(const variant_info& variant, const run_result& mc, const run_result& relacy) {
    ASSERT_NE(kind_of(relacy), "incomplete") << "Relacy did not finish within the declared bounds";
    ASSERT_NE(kind_of(mc), "incomplete") << "mc DPOR did not finish within the time budget";
    if (variant.expected.kinds.size() > 1 && mc.violation && relacy.violation) {
        EXPECT_TRUE(variant.expected.accepts(mc.violation->kind)) << kind_of(mc);
        EXPECT_TRUE(variant.expected.accepts(relacy.violation->kind)) << kind_of(relacy);
        return;
    }
    EXPECT_EQ(kind_of(mc), kind_of(relacy)) << "mc: " << (mc.violation ? mc.violation->message : "")
                                            << "\nrelacy: " << (relacy.violation ? relacy.violation->message : "");
}

TEST(mc_cross_check, every_scenario_variant_agrees_with_relacy) {
    scenario_format::ensure_loaded();  // the scenario files, not only the C++ scenarios
    int compared = 0;
    for (const scenario_info* s : scenario_catalog::instance().all()) {
        if (s->property) continue;  // property checks run the same whatever the engine
        for (const variant_info& v : s->variants) {
            SCOPED_TRACE(s->name + " / " + v.name);
            run_options o;
            o.scenario = s->name;
            o.variant = v.name;
            o.engine = engine_kind::relacy;  // the scenario's declared search and bound
            const run_result relacy = run(o);
            o.engine = engine_kind::mc;
            o.search = search_kind::dpor;
            const run_result mc = run(o);
            expect_same_verdict(v, mc, relacy);
            EXPECT_TRUE(mc.exhaustive || mc.violation) << "DPOR stopped before exhausting " << v.name;
            ++compared;
        }
    }
    EXPECT_GE(compared, 40);
}
#endif

}  // namespace
}  // namespace mmcheck::mc_test
