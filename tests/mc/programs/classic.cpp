// The classic DPOR benchmark programs on the seam (Abdulla et al., POPL 2014,
// Flanagan and Godefroid, POPL 2005, and SV-COMP's pthread/sigma), as self-test scenarios "selftest/mc/<name>-<N>"
// that pass. Marked accesses only, so the number of Mazurkiewicz traces is the
// optimal count an exhaustive DPOR can reach; tests/mc/trace_counts.py computes it by
// brute force over every interleaving.
#include <array>

#include "model/kernel/primitives.h"
#include "scenarios/body.h"
#include "tests/programs/selftest.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace kernel;

// lastzero(N): thread 0 scans a[N..0] for the last zero; thread j (1..N) sets
// a[j] = a[j-1] + 1.
template <int N>
struct lastzero : scenario_instance {
    marked<long> a[N + 1];
    void run_thread(int t) override {
        if (t == 0) {
            for (int i = N; i >= 0; --i)
                if (READ_ONCE(a[i]) == 0) break;
            return;
        }
        WRITE_ONCE(a[t], READ_ONCE(a[t - 1]) + 1);
    }
};

// readers(N): thread 0 writes x, threads 1..N read it: 2^N traces.
template <int N>
struct readers : scenario_instance {
    marked<long> x{0, {"x"}};
    void run_thread(int t) override {
        if (t == 0)
            WRITE_ONCE(x, 1);
        else
            (void)READ_ONCE(x);
    }
};

// lastwrite(N): N threads each write their number to x: N! traces.
template <int N>
struct lastwrite : scenario_instance {
    marked<long> x{0, {"x"}};
    void run_thread(int t) override { WRITE_ONCE(x, t + 1); }
};

// indexer(N): each thread inserts two keys into an 8-slot open-addressing table
// with cmpxchg; the hash (key mod 4) is small so that threads collide (the original
// 128-slot table needs 12 threads for a collision; the seam has at most 4).
template <int N>
struct indexer : scenario_instance {
    marked<long> table[8];
    void run_thread(int t) override {
        for (int m = 0; m < 2; ++m) {
            const long w = m * 11 + t + 1;
            long h = w % 4;
            while (cmpxchg(table[h], 0L, w) != 0) h = (h + 1) % 8;
        }
    }
};

// filesystem(N) (Flanagan and Godefroid, POPL 2005, section 6): thread t takes
// inode t under its lock and, if it has no block yet, searches for a free block
// from (2t mod blocks) on, each block under its own lock. Scaled to the seam's four
// threads (tests/mc/trace_counts.py has the same program): 8 inodes and 4 blocks,
// so that threads t and t+2 want the same block, as threads t and t+13 do in the
// paper's 32 inodes and 26 blocks.
template <int N>
struct filesystem : scenario_instance {
    static constexpr int inodes = 8, blocks = 4;
    // Two lock classes, inode -> block, as the paper's locki and lockb.
    spinlock_t locki[inodes]{spinlock_t{{"locki"}}, spinlock_t{{"locki"}}, spinlock_t{{"locki"}}, spinlock_t{{"locki"}},
                             spinlock_t{{"locki"}}, spinlock_t{{"locki"}}, spinlock_t{{"locki"}}, spinlock_t{{"locki"}}};
    spinlock_t lockb[blocks]{spinlock_t{{"lockb"}}, spinlock_t{{"lockb"}}, spinlock_t{{"lockb"}}, spinlock_t{{"lockb"}}};
    plain<long> inode[inodes], busy[blocks];
    void run_thread(int t) override {
        const int i = t % inodes;
        spin_lock(&locki[i]);
        if (inode[i].read() == 0) {
            for (int b = (i * 2) % blocks;; b = (b + 1) % blocks) {
                spin_lock(&lockb[b]);
                if (busy[b].read() == 0) {
                    busy[b].write(1);
                    inode[i].write(b + 1);
                    spin_unlock(&lockb[b]);
                    break;
                }
                spin_unlock(&lockb[b]);
            }
        }
        spin_unlock(&locki[i]);
    }
};

// sigma(N) (SV-COMP pthread/sigma_false-unreach-call.c, a DPOR benchmark since
// Abdulla et al., POPL 2014): main increments array_index before creating each of N
// workers, and worker j writes array[array_index] = 1, reading whatever index main
// has reached by then. The seam's threads start together, so thread 0 is main and
// creating worker j is setting started[j], which the worker waits for with a retry
// loop. SV-COMP's final assertion (every slot written) is left out: the program is
// a counting benchmark here and passes.
template <int N>
struct sigma : scenario_instance {
    marked<long> index{-1, {"array_index"}};
    marked<long> started[N + 1];
    marked<long> array[N];
    void run_thread(int t) override {
        if (t == 0) {
            for (int j = 1; j <= N; ++j) {
                WRITE_ONCE(index, j - 1);
                WRITE_ONCE(started[j], 1);
            }
            return;
        }
        while (READ_ONCE(started[t]) == 0) backend::retry_hint(std::source_location::current());
        WRITE_ONCE(array[READ_ONCE(index)], 1);
    }
};

// The same program with its threads created in the opposite order: thread t runs
// what thread (Threads - 1 - t) runs in Program. Counts must not change.
template <class Program, int Threads>
struct reversed : Program {
    void run_thread(int t) override { Program::run_thread(Threads - 1 - t); }
};

using selftests::make;

scenario_info classic(const char* name, int threads) {
    scenario_info info;
    info.name = name;
    info.summary = "classic DPOR benchmark program";
    info.source = "Abdulla et al., POPL 2014";
    info.threads = threads;
    info.variants = {{"default", "passes", std::nullopt}};
    info.bounds.relacy_search = "full";
    info.selftest = true;
    return info;
}

const scenario_registration classic_registrations[] = {
    {classic("selftest/mc/lastzero-1", 2), &make<lastzero<1>>},
    {classic("selftest/mc/lastzero-2", 3), &make<lastzero<2>>},
    {classic("selftest/mc/lastzero-3", 4), &make<lastzero<3>>},
    {classic("selftest/mc/readers-1", 2), &make<readers<1>>},
    {classic("selftest/mc/readers-2", 3), &make<readers<2>>},
    {classic("selftest/mc/readers-3", 4), &make<readers<3>>},
    {classic("selftest/mc/lastwrite-2", 2), &make<lastwrite<2>>},
    {classic("selftest/mc/lastwrite-3", 3), &make<lastwrite<3>>},
    {classic("selftest/mc/lastwrite-4", 4), &make<lastwrite<4>>},
    {classic("selftest/mc/indexer-2", 2), &make<indexer<2>>},
    {classic("selftest/mc/indexer-3", 3), &make<indexer<3>>},
    {classic("selftest/mc/indexer-4", 4), &make<indexer<4>>},
    {classic("selftest/mc/filesystem-2", 2), &make<filesystem<2>>},
    {classic("selftest/mc/filesystem-3", 3), &make<filesystem<3>>},
    {classic("selftest/mc/filesystem-4", 4), &make<filesystem<4>>},
    {classic("selftest/mc/sigma-1", 2), &make<sigma<1>>},
    {classic("selftest/mc/sigma-2", 3), &make<sigma<2>>},
    {classic("selftest/mc/sigma-3", 4), &make<sigma<3>>},
    {classic("selftest/mc/lastzero-3-reversed", 4), &make<reversed<lastzero<3>, 4>>},
    {classic("selftest/mc/indexer-3-reversed", 3), &make<reversed<indexer<3>, 3>>},
    {classic("selftest/mc/filesystem-4-reversed", 4), &make<reversed<filesystem<4>, 4>>},
    {classic("selftest/mc/sigma-2-reversed", 3), &make<reversed<sigma<2>, 3>>},
};

}  // namespace

MMCHECK_ENGINE_END
