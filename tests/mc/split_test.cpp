// The split search (--jobs, --shard; checker/mc/split.h): the same verdict as the
// plain search, counts that do not depend on the number of jobs, shards whose
// subtrees add up to the whole, and a first violation that is the same for any
// number of jobs and replays.
#include <gtest/gtest.h>

#include "mc_test_util.h"
#include "reports/shard_file.h"

namespace mmcheck::mc_test {
namespace {

run_result run_split(const std::string& scenario, search_kind search, unsigned jobs, unsigned shard_index = 0,
                     unsigned shard_count = 0, const std::string& variant = "default") {
    run_options o;
    o.scenario = scenario;
    o.variant = variant;
    o.engine = engine_kind::mc;
    o.search = search;
    o.jobs = jobs;
    o.shard_index = shard_index;
    o.shard_count = shard_count;
    o.time_budget_seconds = 120;
    return run(o);
}

void expect_same_counts(const run_result& a, const run_result& b) {
    ASSERT_TRUE(a.stats && b.stats);
    EXPECT_EQ(a.executions, b.executions);
    EXPECT_EQ(a.stats->runs, b.stats->runs);
    EXPECT_EQ(a.stats->redundant, b.stats->redundant);
    EXPECT_EQ(a.stats->max_depth, b.stats->max_depth);
    ASSERT_TRUE(a.split && b.split);
    EXPECT_EQ(a.split->subtrees, b.split->subtrees);
    EXPECT_EQ(a.split->depth, b.split->depth);
}

const char* const passing[] = {"selftest/mc/lastzero-3", "selftest/mc/indexer-3", "selftest/mc/readers-3",
                               "selftest/mc/filesystem-4", "selftest/mc/sigma-3", "selftest/mc/rwsem-readers",
                               "selftest/locked-counter"};
// Small enough for every interleaving (filesystem-4 and sigma-3 have millions).
const char* const passing_dfs[] = {"selftest/mc/lastzero-3", "selftest/mc/indexer-3", "selftest/mc/readers-3",
                                   "selftest/mc/filesystem-2", "selftest/mc/sigma-2", "selftest/locked-counter"};

void expect_jobs_agree(const char* scenario, search_kind search) {
    SCOPED_TRACE(std::string(scenario) + (search == search_kind::dpor ? " dpor" : " dfs"));
    const run_result one = run_split(scenario, search, 1);
    const run_result two = run_split(scenario, search, 2);
    EXPECT_EQ(kind_of(one), "pass");
    EXPECT_EQ(kind_of(two), "pass");
    EXPECT_TRUE(one.exhaustive);
    EXPECT_TRUE(two.exhaustive);
    expect_same_counts(one, two);
    EXPECT_GT(one.split->subtrees, 1u);
}

TEST(mc_split, two_jobs_and_one_give_the_same_verdict_and_counts) {
    for (const char* scenario : passing) expect_jobs_agree(scenario, search_kind::dpor);
    for (const char* scenario : passing_dfs) expect_jobs_agree(scenario, search_kind::dfs);
}

TEST(mc_split, a_split_search_reaches_the_plain_verdict_and_dfs_sees_every_interleaving) {
    for (const char* scenario : passing) {
        SCOPED_TRACE(scenario);
        const run_result plain = run_mc(scenario, search_kind::dpor);
        const run_result split = run_split(scenario, search_kind::dpor, 2);
        EXPECT_EQ(kind_of(plain), kind_of(split));
        // Above the split every awake thread is a branch, so the split search can
        // only explore more than the plain one, never fewer distinct traces.
        EXPECT_GE(split.executions, plain.executions);
    }
    // DFS split at any depth still enumerates every interleaving exactly once.
    EXPECT_EQ(run_split("selftest/mc/lastzero-3", search_kind::dfs, 2).executions, 920u);
    EXPECT_EQ(run_split("selftest/mc/indexer-3", search_kind::dfs, 2).executions, 3484u);
}

TEST(mc_split, the_shards_add_up_to_the_whole_search) {
    for (const char* scenario : {"selftest/mc/lastzero-3", "selftest/mc/indexer-3", "selftest/mc/sigma-3"}) {
        SCOPED_TRACE(scenario);
        const run_result whole = run_split(scenario, search_kind::dpor, 1);
        std::vector<std::pair<std::string, shard_file>> shards;
        std::uint64_t sum = 0;
        for (unsigned i = 0; i < 3; ++i) {
            run_options o;
            o.scenario = scenario;
            o.variant = "default";
            o.engine = engine_kind::mc;
            o.search = search_kind::dpor;
            o.shard_index = i;
            o.shard_count = 3;
            const run_result part = run(o);
            EXPECT_EQ(kind_of(part), "pass");
            EXPECT_TRUE(part.exhaustive);
            ASSERT_TRUE(part.split);
            EXPECT_EQ(part.split->subtrees, whole.split->subtrees);
            sum += part.executions;
            shards.emplace_back("shard" + std::to_string(i), make_shard_file(o, part));
        }
        EXPECT_EQ(sum, whole.executions);
        const shard_file merged = merge_shards(shards);
        EXPECT_TRUE(split_complete(merged.split));
        EXPECT_EQ(split_totals(merged.split, 0).executions, whole.executions);
        EXPECT_EQ(split_totals(merged.split, 0).runs, whole.stats->runs);
    }
}

TEST(mc_split, merging_rejects_missing_repeated_and_foreign_shards) {
    std::vector<std::pair<std::string, shard_file>> shards;
    for (unsigned i = 0; i < 2; ++i) {
        run_options o;
        o.scenario = "selftest/mc/lastzero-2";
        o.variant = "default";
        o.engine = engine_kind::mc;
        o.search = search_kind::dpor;
        o.shard_index = i;
        o.shard_count = 2;
        shards.emplace_back("s" + std::to_string(i), make_shard_file(o, run(o)));
    }
    EXPECT_NO_THROW(merge_shards(shards));
    EXPECT_THROW(merge_shards({shards[0]}), usage_error);              // shard 1 missing
    EXPECT_THROW(merge_shards({shards[0], shards[0]}), usage_error);   // shard 0 twice
    auto foreign = shards;
    foreign[1].second.variant = "other";
    EXPECT_THROW(merge_shards(foreign), usage_error);
    EXPECT_THROW(merge_shards({}), usage_error);
}

TEST(mc_split, the_first_violation_is_the_same_for_any_number_of_jobs_and_replays) {
    for (const char* scenario : {"selftest/racy-counter", "selftest/lost-update", "selftest/abba-deadlock"}) {
        SCOPED_TRACE(scenario);
        const run_result one = run_split(scenario, search_kind::dpor, 1);
        const run_result two = run_split(scenario, search_kind::dpor, 2);
        ASSERT_EQ(one.outcome, verdict::violation);
        ASSERT_EQ(two.outcome, verdict::violation);
        EXPECT_EQ(one.violation->kind, two.violation->kind);
        EXPECT_EQ(one.schedule, two.schedule);
        expect_same_counts(one, two);
        run_options o;
        o.scenario = scenario;
        o.variant = "default";
        o.engine = engine_kind::mc;
        o.schedule = two.schedule;
        const run_result again = run(o);
        ASSERT_EQ(again.outcome, verdict::violation);
        EXPECT_EQ(again.violation->kind, two.violation->kind);
        EXPECT_EQ(again.trace.size(), two.trace.size());
    }
}

TEST(mc_split, split_options_outside_an_exhaustive_mc_search_are_usage_errors) {
    EXPECT_THROW(run_split("selftest/mc/lastzero-2", search_kind::pct, 2), usage_error);
    EXPECT_THROW(run_split("selftest/mc/lastzero-2", search_kind::dpor, 1, 3, 2), usage_error);
    run_options o;
    o.scenario = "selftest/mc/lastzero-2";
    o.variant = "default";
    o.engine = engine_kind::relacy;
    o.jobs = 2;
    EXPECT_THROW(run(o), usage_error);
}

}  // namespace
}  // namespace mmcheck::mc_test
