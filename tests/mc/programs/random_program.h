// A small concurrent program described as data, for the DPOR-against-DFS
// property (tests/mc/dpor_differential_test.cpp): the test generates one, puts it
// in random_program::current, runs the "selftest/mc/random-program" scenario
// (random_programs.cpp) under a search, and reads back the set of outcomes every
// complete execution reached. Engine-independent: the scenario is compiled once
// per engine and reads the same description.
#pragma once

#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace mmcheck::mc_test {

struct random_op {
    enum kind_t {
        read,          // READ_ONCE(x[var]), recorded
        write,         // WRITE_ONCE(x[var], value)
        cmpxchg,       // cmpxchg(x[var], 0, value), the old value recorded
        inc,           // atomic_inc(count): an unordered add
        dec_and_test,  // atomic_dec_and_test(count), recorded
        read_count,    // atomic_read(count), recorded
        locked,        // spin_lock(lock[var]) inner spin_unlock(lock[var])
        read_locked,   // down_read(sem) inner up_read(sem): inner reads only
        write_locked,  // down_write(sem) inner up_write(sem)
        plain_rw,      // under lock[0] only: plain read of p, recorded, then p = value
        trylocked,     // if (spin_trylock(lock[1])) { inner spin_unlock } ; 1 or 0 recorded
        await,         // while (READ_ONCE(x[var]) == 0) retry: may livelock
    };
    kind_t kind = read;
    int var = 0;        // x index (0..1), or lock index (0..1) for `locked` (an inner
                        // `locked` is always lock[1] in lock[0]: one order, no inversion)
    long value = 1;     // what a write stores (1..3)
    std::vector<random_op> inner;  // the critical section's steps
};

struct random_program {
    static constexpr int threads = 3;
    std::vector<random_op> ops[threads];

    // The program the scenario runs, and what its complete executions reached:
    // per thread the values it recorded, then the final memory.
    static inline random_program* current = nullptr;
    static inline std::set<std::string>* outcomes = nullptr;
};

inline void show_op(std::ostream& os, const random_op& op) {
    static const char* const names[] = {"read x",     "write x",      "cmpxchg x", "inc c",       "dec_and_test c",
                                        "read c",     "locked L",     "read_locked S", "write_locked S", "plain p under L0",
                                        "trylocked L1", "await x"};
    os << names[op.kind];
    if (op.kind == random_op::read || op.kind == random_op::write || op.kind == random_op::cmpxchg ||
        op.kind == random_op::locked || op.kind == random_op::await)
        os << op.var;
    if (op.kind == random_op::write || op.kind == random_op::cmpxchg || op.kind == random_op::plain_rw)
        os << " = " << op.value;
    if (!op.inner.empty()) {
        os << " {";
        for (const random_op& i : op.inner) {
            os << " ";
            show_op(os, i);
            os << ";";
        }
        os << " }";
    }
}

inline std::ostream& operator<<(std::ostream& os, const random_program& p) {
    for (int t = 0; t < random_program::threads; ++t) {
        os << "T" << t << ":";
        for (const random_op& op : p.ops[t]) {
            os << " ";
            show_op(os, op);
            os << ";";
        }
        os << "\n";
    }
    return os;
}

}  // namespace mmcheck::mc_test
