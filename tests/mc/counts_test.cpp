// Exact execution counts of tiny programs (tests/mc/programs/tiny.cpp), written out,
// and of the classic DPOR programs against their optimal counts; DPOR never explores
// more than DFS and always reaches the same verdict.
#include <gtest/gtest.h>

#include "mc_test_util.h"
#include "scenarios/format/scenario_files.h"

namespace mmcheck::mc_test {
namespace {

struct pinned {
    const char* scenario;
    std::uint64_t dfs;
    std::uint64_t dpor;
};

// Each step is one seam operation. Interleavings (a = T0, b = T1; [c] a choice):
//   independent   x=1 | y=1                  DFS: ab ba                         DPOR: ab
//   same-word     x=1 x=2 | x=3              DFS: aab aba baa                   DPOR: all 3
//   two-reads     r x | r x                  DFS: ab ba                         DPOR: ab
//   choice        [c] x=c | y=1              DFS: ab ba, each for c = 0, 1, 2   DPOR: ab for each c
//   spin-until-set  while(!flag) retry | flag=1
//                 DFS: a(r=0) b a(retry) a(r=1); b a(r=1)    (a retry is blocked until flag
//                 is written, so no execution spins)         DPOR: the same 2
//   own-write-after-other  while (r refs != 0) { refs++; refs--; retry } | refs--  (refs = 1)
//                 DFS: b a(r=0); a(r=1) then b before the ++, before the --, or before the
//                 retry, each followed by a(retry) a(r=0) (T1's write wakes the retry even
//                 though T0 wrote refs after it)            DPOR: 2: b first, or b after
//                 a(r=1); the ++ and -- are unordered adds, which commute with b's --, so
//                 b before the ++, before the -- or before the retry is one trace
//   two-incs      inc x | inc x              DFS: ab ba                         DPOR: ab
//   inc-vs-read   inc x | r x                DFS: ab ba                         DPOR: both
//   locked-counter  lock; r; w; unlock (both)  DFS: a first or b first (a lock wait blocks)
//   rwsem-readers T0,T1: down_read r up_read | T2: down_write w up_write
//                 DPOR: each reader's section before or after the writer's: 4
//   downgrade     down_write w downgrade r up_read | down_write w up_write  DPOR: a first, b first
const pinned tiny_counts[] = {
    {"selftest/mc/independent", 2, 1},
    {"selftest/mc/same-word", 3, 3},
    {"selftest/mc/two-reads", 2, 1},
    {"selftest/mc/choice", 6, 3},
    {"selftest/mc/spin-until-set", 2, 2},
    {"selftest/mc/own-write-after-other", 4, 2},
    {"selftest/mc/two-incs", 2, 1},
    {"selftest/mc/inc-vs-read", 2, 2},
    {"selftest/locked-counter", 2, 2},
    {"selftest/mc/rwsem-readers", 0, 4},
    {"selftest/mc/downgrade", 0, 2},
};

TEST(mc_counts, tiny_programs_explore_exactly_the_interleavings_written_out) {
    for (const pinned& p : tiny_counts) {
        SCOPED_TRACE(p.scenario);
        const run_result dpor = run_mc(p.scenario, search_kind::dpor);
        EXPECT_EQ(kind_of(dpor), "pass");
        EXPECT_TRUE(dpor.exhaustive);
        EXPECT_EQ(dpor.executions, p.dpor);
        if (p.dfs == 0) continue;
        const run_result dfs = run_mc(p.scenario, search_kind::dfs);
        EXPECT_EQ(kind_of(dfs), "pass");
        EXPECT_EQ(dfs.executions, p.dfs);
    }
}

struct classic {
    const char* scenario;
    std::uint64_t interleavings;  // DFS, every interleaving (trace_counts.py); 0: too many to run
    std::uint64_t optimal;        // Mazurkiewicz traces (trace_counts.py, or the reasoning below)
    std::uint64_t ours;           // what our DPOR explores
};

// Optimal counts from tests/mc/trace_counts.py (brute force; a failed cmpxchg counts
// as a read there, while our DPOR treats every cmpxchg as a write), except where
// brute force has too many interleavings, reasoned here instead:
//   filesystem(N), threads t and t+2 want block 2t mod 4; all else is private to a
//     thread. Each colliding pair's two lockb critical sections come in either order
//     (the loser moves on to a block no one else wants): 2^(N-2) traces for N >= 2,
//     so filesystem-3 = 2 and filesystem-4 = 4 (filesystem-2 = 1 by brute force).
//   sigma(N), worker j either reads started[j] = 0 before main sets it (then retries
//     and reads 1) or reads 1 at once: 2^N; it reads array_index after main's write of
//     j-1 and before or after each of main's N-j later writes; workers writing the
//     same slot do so in any order. sigma(3): 2^3 x (index choices (v1, v2), v3 = 2,
//     weighted by the orders of same-slot writers: (0,1) 1, (0,2) 2, (1,1) 2, (1,2) 2,
//     (2,1) 2, (2,2) 3! = 6; sum 15) = 120. The same rule gives sigma(2) = 4 x 3 = 12,
//     which brute force confirms.
const classic classic_counts[] = {
    {"selftest/mc/lastzero-1", 3, 2, 2},       {"selftest/mc/lastzero-2", 35, 5, 5},
    {"selftest/mc/lastzero-3", 920, 12, 12},   {"selftest/mc/readers-1", 2, 2, 2},
    {"selftest/mc/readers-2", 6, 4, 4},        {"selftest/mc/readers-3", 24, 8, 8},
    {"selftest/mc/lastwrite-2", 2, 2, 2},      {"selftest/mc/lastwrite-3", 6, 6, 6},
    {"selftest/mc/lastwrite-4", 24, 24, 24},   {"selftest/mc/indexer-2", 10, 2, 2},
    {"selftest/mc/indexer-3", 3484, 8, 8},     {"selftest/mc/filesystem-2", 12870, 1, 1},
    {"selftest/mc/filesystem-3", 0, 2, 2},     {"selftest/mc/filesystem-4", 0, 4, 4},
    {"selftest/mc/sigma-1", 3, 2, 2},          {"selftest/mc/sigma-2", 3296, 12, 12},
    {"selftest/mc/sigma-3", 0, 120, 120},
};

TEST(mc_counts, classic_programs_reach_their_optimal_counts) {
    for (const classic& c : classic_counts) {
        SCOPED_TRACE(c.scenario);
        const run_result dpor = run_mc(c.scenario, search_kind::dpor);
        EXPECT_EQ(kind_of(dpor), "pass");
        EXPECT_EQ(dpor.executions, c.ours);
        EXPECT_LE(static_cast<double>(dpor.executions), 1.05 * static_cast<double>(c.optimal));
        if (c.interleavings == 0) continue;
        const run_result dfs = run_mc(c.scenario, search_kind::dfs);
        EXPECT_EQ(dfs.executions, c.interleavings);
    }
}

TEST(mc_counts, reordered_thread_creation_gives_the_same_counts) {
    for (const char* name : {"selftest/mc/lastzero-3", "selftest/mc/indexer-3", "selftest/mc/filesystem-4",
                             "selftest/mc/sigma-2"}) {
        SCOPED_TRACE(name);
        const std::string reversed = std::string(name) + "-reversed";
        EXPECT_EQ(run_mc(reversed, search_kind::dpor).executions, run_mc(name, search_kind::dpor).executions);
        if (std::string(name).find("filesystem") != std::string::npos) continue;  // DFS: too many
        EXPECT_EQ(run_mc(reversed, search_kind::dfs).executions, run_mc(name, search_kind::dfs).executions);
    }
}

bool too_many_interleavings(const std::string& name) {
    for (const char* big : {"selftest/mc/indexer-4", "selftest/mc/filesystem-3", "selftest/mc/filesystem-4",
                            "selftest/mc/sigma-3"})
        if (name.rfind(big, 0) == 0) return true;
    return false;
}

TEST(mc_counts, dpor_explores_no_more_than_dfs_and_agrees_on_the_verdict) {
    // run() loads the scenario files on first use, which grows the catalog:
    // load them before holding pointers into it.
    scenario_format::ensure_loaded();
    for (const scenario_info* s : scenario_catalog::instance().all(true)) {
        if (!s->selftest || too_many_interleavings(s->name)) continue;
        SCOPED_TRACE(s->name);
        const run_result dpor = run_mc(s->name, search_kind::dpor);
        const run_result dfs = run_mc(s->name, search_kind::dfs);
        EXPECT_EQ(kind_of(dpor), kind_of(dfs));
        if (dfs.outcome == verdict::pass) {
            EXPECT_LE(dpor.executions, dfs.executions);
        }
    }
}

TEST(mc_counts, preemption_bounding_counts_each_execution_once) {
    // Bound 0 runs each thread to its end: ab and ba for lastwrite-2; with bound 1
    // lastzero-1 (T0: r a1, r a0 | T1: r a0, w a1) gains the single-preemption orders.
    EXPECT_EQ(run_mc("selftest/mc/lastwrite-2", search_kind::bounded).executions, 2u);
    const run_result b = run_mc("selftest/mc/lastzero-1", search_kind::bounded);
    EXPECT_EQ(kind_of(b), "pass");
    EXPECT_EQ(b.executions, 3u);  // every interleaving: none needs 2 preemptions
}

}  // namespace
}  // namespace mmcheck::mc_test
