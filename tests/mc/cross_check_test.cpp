// Cross-check: every self-test program gets the same verdict on the mc engine
// (DPOR) and on Relacy's full search, when Relacy is in the build and finishes
// within its budget.
#include <gtest/gtest.h>

#include "mc_test_util.h"

namespace mmcheck::mc_test {
namespace {

#ifdef MMCHECK_TEST_ENGINE_relacy
TEST(mc_cross_check, self_tests_agree_with_relacy) {
    int compared = 0;
    for (const scenario_info* s : scenario_catalog::instance().all(true)) {
        // Relacy's rwsem has no downgrade (unlock, then lock_shared: a writer can get
        // in between), so on Relacy the exact-downgrade program fails by design.
        if (!s->selftest || s->name == "selftest/mc/downgrade") continue;
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
#endif

}  // namespace
}  // namespace mmcheck::mc_test
