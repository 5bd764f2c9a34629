// The classic DPOR benchmark programs on the seam (Abdulla et al., POPL 2014, and
// Flanagan and Godefroid, POPL 2005), as self-test scenarios "selftest/mc/<name>-<N>"
// that pass. Marked accesses only, so the number of Mazurkiewicz traces is the
// optimal count an exhaustive DPOR can reach; tests/mc/trace_counts.py computes it by
// brute force over every interleaving.
#include <array>

#include "model/kernel/primitives.h"
#include "scenarios/body.h"

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

template <class Program>
std::unique_ptr<scenario_instance> make(const variant_info&) {
    return std::make_unique<Program>();
}

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

const scenario_registration registrations[] = {
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
};

}  // namespace

MMCHECK_ENGINE_END
