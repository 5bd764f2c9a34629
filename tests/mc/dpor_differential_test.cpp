// DPOR against DFS on random programs: for any small program over the seam
// (marked reads, writes and cmpxchg, a counter's unordered adds and its
// value-returning decrement, spinlock and rwsem critical sections, nested and
// tried ones, a plain word under a lock, await loops), source-DPOR with sleep
// sets must reach every outcome the full DFS reaches (the values each thread
// read, then the final memory), in no more executions; where DFS finds a
// violation (a livelock of an await nobody ends), DPOR must find one too. An
// outcome DFS reaches and DPOR misses is an unsound reduction: this is the test
// a new dependence rule has to pass.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "mc_test_util.h"
#include "tests/mc/programs/random_program.h"

namespace mmcheck::mc_test {
namespace {

#ifdef MMCHECK_TEST_ENGINE_mc

// Steps a program's op takes (scheduling points): a critical section's lock and
// unlock, plus its body.
int steps_of(const random_op& op) {
    int n = op.kind == random_op::plain_rw ? 4 : 1;
    if (!op.inner.empty()) n = 2;
    for (const random_op& i : op.inner) n += steps_of(i);
    return n;
}

rc::Gen<random_op> simple_op(bool reads_only) {
    using k = random_op;
    const std::vector<k::kind_t> kinds = reads_only ? std::vector<k::kind_t>{k::read, k::read_count}
                                                    : std::vector<k::kind_t>{k::read, k::write, k::cmpxchg, k::inc,
                                                                             k::dec_and_test, k::read_count};
    return rc::gen::apply(
        [](k::kind_t kind, int var, long value) {
            random_op op;
            op.kind = kind;
            op.var = var;
            op.value = value;
            return op;
        },
        rc::gen::elementOf(kinds), rc::gen::inRange(0, 2), rc::gen::inRange(1l, 4l));
}

rc::Gen<random_op> top_op() {
    using k = random_op;
    return rc::gen::weightedOneOf<random_op>({
        {6, simple_op(false)},
        // lock[0] { ...; lock[1] { ... } }, or spin_trylock(lock[1]) { ... }
        {2, rc::gen::apply(
            [](bool nested, std::vector<random_op> outer, std::vector<random_op> inner) {
                random_op op;
                op.kind = nested ? k::locked : k::trylocked;
                op.var = nested ? 0 : 1;
                op.inner = std::move(outer);
                if (nested) {
                    random_op in;
                    in.kind = k::locked;
                    in.var = 1;
                    in.inner = std::move(inner);
                    op.inner.push_back(std::move(in));
                }
                return op;
            },
            rc::gen::arbitrary<bool>(),
            rc::gen::container<std::vector<random_op>>(*rc::gen::inRange<std::size_t>(0, 2), simple_op(false)),
            rc::gen::container<std::vector<random_op>>(*rc::gen::inRange<std::size_t>(1, 2), simple_op(false)))},
        // An await may never end (livelock): rare, so most programs pass.
        {1, rc::gen::apply(
            [](int var) {
                random_op op;
                op.kind = k::await;
                op.var = var;
                return op;
            },
            rc::gen::inRange(0, 2))},
        {3, rc::gen::apply(
            [](k::kind_t kind, int lock, std::vector<random_op> inner, std::vector<random_op> reads) {
                random_op op;
                op.kind = kind;
                op.var = lock;
                op.inner = kind == k::read_locked ? std::move(reads) : std::move(inner);
                return op;
            },
            rc::gen::element(k::locked, k::locked, k::read_locked, k::write_locked), rc::gen::inRange(0, 2),
            rc::gen::container<std::vector<random_op>>(*rc::gen::inRange<std::size_t>(1, 3), simple_op(false)),
            rc::gen::container<std::vector<random_op>>(*rc::gen::inRange<std::size_t>(1, 3), simple_op(true)))},
        {1, rc::gen::apply(
            [](long value) {
                random_op op;
                op.kind = k::plain_rw;
                op.value = value;
                return op;
            },
            rc::gen::inRange(1l, 4l))}});
}

// Up to `budget` steps in all, so that the DFS stays small (12 steps over three
// threads is at most 34,650 interleavings).
random_program make_program(int budget) {
    random_program p;
    for (int t = 0; t < random_program::threads; ++t) {
        const int count = *rc::gen::inRange(t == 2 ? 0 : 1, 4);
        for (int i = 0; i < count; ++i) {
            random_op op = *top_op();
            if (steps_of(op) > budget) break;
            budget -= steps_of(op);
            p.ops[t].push_back(std::move(op));
        }
    }
    return p;
}

std::set<std::string> outcomes_of(random_program& program, search_kind search, run_result& result) {
    std::set<std::string> outcomes;
    random_program::current = &program;
    random_program::outcomes = &outcomes;
    result = run_mc("selftest/mc/random-program", search);
    random_program::current = nullptr;
    random_program::outcomes = nullptr;
    return outcomes;
}

RC_GTEST_PROP(mc_dpor, reaches_every_outcome_dfs_reaches_on_random_programs, ()) {
    random_program program = make_program(12);
    RC_LOG() << program;
    run_result dfs, dpor;
    const std::set<std::string> by_dfs = outcomes_of(program, search_kind::dfs, dfs);
    const std::set<std::string> by_dpor = outcomes_of(program, search_kind::dpor, dpor);
    // Both stop at their first violation, maybe in different executions.
    RC_ASSERT((kind_of(dfs) == "pass") == (kind_of(dpor) == "pass"));
    RC_CLASSIFY(kind_of(dfs) != "pass", "a violation");
    if (kind_of(dfs) != "pass") return;
    RC_ASSERT(dfs.exhaustive && dpor.exhaustive);
    RC_ASSERT(dpor.executions <= dfs.executions);
    for (const std::string& o : by_dfs)
        if (!by_dpor.contains(o)) RC_FAIL("DPOR never reached: " + o);
    RC_ASSERT(by_dpor == by_dfs);
    RC_CLASSIFY(dpor.executions < dfs.executions, "DPOR reduced");
}

#endif

}  // namespace
}  // namespace mmcheck::mc_test
