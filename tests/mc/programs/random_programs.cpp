// The scenario that runs a random_program (random_program.h): "selftest/mc/
// random-program", three threads over two marked words, a counter, two
// spinlocks, an rwsem and a plain word kept under the first spinlock. Without a
// current program every thread does nothing.
#include <sstream>

#include "model/kernel/primitives.h"
#include "tests/mc/programs/random_program.h"
#include "tests/programs/selftest.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace kernel;
using mc_test::random_op;
using mc_test::random_program;

struct random_program_run : scenario_instance {
    marked<long> x[2]{marked<long>{0, {"x0"}}, marked<long>{0, {"x1"}}};
    atomic_t count{2, {"c"}};
    spinlock_t lock[2]{spinlock_t{{"L0"}}, spinlock_t{{"L1"}}};
    rw_semaphore sem{{"S"}};
    plain<long> p{0, {"p"}};
    std::vector<long> seen[random_program::threads];

    void step(int t, const random_op& op) {
        switch (op.kind) {
            case random_op::read: seen[t].push_back(READ_ONCE(x[op.var])); break;
            case random_op::write: WRITE_ONCE(x[op.var], op.value); break;
            case random_op::cmpxchg: seen[t].push_back(cmpxchg(x[op.var], 0, op.value)); break;
            case random_op::inc: atomic_inc(count); break;
            case random_op::dec_and_test: seen[t].push_back(atomic_dec_and_test(count)); break;
            case random_op::read_count: seen[t].push_back(atomic_read(count)); break;
            case random_op::locked:
                spin_lock(&lock[op.var]);
                for (const random_op& i : op.inner) step(t, i);
                spin_unlock(&lock[op.var]);
                break;
            case random_op::read_locked:
                down_read(&sem);
                for (const random_op& i : op.inner) step(t, i);
                up_read(&sem);
                break;
            case random_op::write_locked:
                down_write(&sem);
                for (const random_op& i : op.inner) step(t, i);
                up_write(&sem);
                break;
            case random_op::trylocked:
                if (!spin_trylock(&lock[1])) {
                    seen[t].push_back(0);
                    break;
                }
                seen[t].push_back(1);
                for (const random_op& i : op.inner) step(t, i);
                spin_unlock(&lock[1]);
                break;
            case random_op::await:
                while (READ_ONCE(x[op.var]) == 0) backend::retry_hint(std::source_location::current());
                break;
            case random_op::plain_rw:
                spin_lock(&lock[0]);
                seen[t].push_back(p.read());
                p.write(op.value);
                spin_unlock(&lock[0]);
                break;
        }
    }

    void run_thread(int t) override {
        if (!random_program::current) return;
        for (const random_op& op : random_program::current->ops[t]) step(t, op);
    }

    void finish() override {
        if (!random_program::outcomes) return;
        std::ostringstream out;
        for (int t = 0; t < random_program::threads; ++t) {
            out << "T" << t << ":";
            for (long v : seen[t]) out << " " << v;
            out << " | ";
        }
        // Read after every thread ended: no other thread runs, nothing to order.
        out << "x0=" << READ_ONCE(x[0]) << " x1=" << READ_ONCE(x[1]) << " c=" << atomic_read(count)
            << " p=" << p.read();
        random_program::outcomes->insert(out.str());
    }
};

scenario_info random_program_info() {
    scenario_info info = selftests::selftest("selftest/mc/random-program",
                                             "a random_program (tests/mc/programs/random_program.h)", std::nullopt,
                                             random_program::threads);
    info.bounds.relacy_search = "full";
    return info;
}

const scenario_registration random_program_registration{random_program_info(),
                                                         &selftests::make<random_program_run>};

}  // namespace

MMCHECK_ENGINE_END
