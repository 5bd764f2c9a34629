// Tiny programs whose exact execution counts tests/mc/counts_test.cpp pins, and
// programs that must fail with a given kind. Self-test scenarios "selftest/mc/...".
#include "model/kernel/primitives.h"
#include "scenarios/body.h"
#include "tests/programs/selftest.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace kernel;

// T0: x = 1 | T1: y = 1. Independent.
struct independent : scenario_instance {
    marked<long> x{0, {"x"}}, y{0, {"y"}};
    void run_thread(int t) override { WRITE_ONCE(t == 0 ? x : y, 1); }
};

// T0: x = 1; x = 2 | T1: x = 3. All dependent.
struct same_word : scenario_instance {
    marked<long> x{0, {"x"}};
    void run_thread(int t) override {
        if (t == 0) {
            WRITE_ONCE(x, 1);
            WRITE_ONCE(x, 2);
        } else {
            WRITE_ONCE(x, 3);
        }
    }
};

// T0: read x | T1: read x. Reads commute.
struct two_reads : scenario_instance {
    marked<long> x{0, {"x"}};
    void run_thread(int) override { (void)READ_ONCE(x); }
};

// T0: c = choice(3); x = c | T1: y = 1.
struct choice3 : scenario_instance {
    marked<long> x{0, {"x"}}, y{0, {"y"}};
    void run_thread(int t) override {
        if (t == 0)
            WRITE_ONCE(x, static_cast<long>(nondet_choice(3, "c")));
        else
            WRITE_ONCE(y, 1);
    }
};

// T0: while (!flag) retry | T1: flag = 1.
struct spin_until_set : scenario_instance {
    marked<long> flag{0, {"flag"}};
    void run_thread(int t) override {
        if (t == 0)
            while (READ_ONCE(flag) == 0) backend::retry_hint(std::source_location::current());
        else
            WRITE_ONCE(flag, 1);
    }
};

// T0: while (refs != 0) { refs += 1; refs -= 1; retry } | T1: refs -= 1 (refs
// starts at 1). T1's drop can fall between T0's read and T0's own increment: the
// iteration then saw 1, the count went 0, 1, 0 since, and T0 must run again and
// see 0; its own writes on top of T1's must not hide T1's (that was a false
// livelock, first met in the device-private fault scenarios).
struct own_write_after_other : scenario_instance {
    atomic_t refs{1, {"refs"}};
    void run_thread(int t) override {
        if (t == 1) {
            atomic_dec(refs);
            return;
        }
        while (atomic_read(refs) != 0) {
            atomic_inc(refs);
            atomic_dec(refs);
            backend::retry_hint(std::source_location::current());
        }
    }
};

// T0: atomic_inc(x) | T1: atomic_inc(x). Unordered adds whose results nobody
// reads commute; the count is 2 either way.
struct two_incs : scenario_instance {
    atomic_t x{0, {"x"}};
    void run_thread(int) override { atomic_inc(x); }
    void finish() override {
        if (atomic_read(x) != 2) report_violation(violation_kind::assertion, "lost increment");
    }
};

// T0: atomic_inc(x) | T1: read x. The read sees the add or not.
struct inc_vs_read : scenario_instance {
    atomic_t x{0, {"x"}};
    void run_thread(int t) override {
        if (t == 0)
            atomic_inc(x);
        else
            (void)atomic_read(x);
    }
};

// T0, T1: down_read; read d; up_read | T2: down_write; d = 1; up_write.
struct rwsem_readers : scenario_instance {
    rw_semaphore sem{{"sem"}};
    plain<long> d{0, {"d"}};
    void run_thread(int t) override {
        if (t < 2) {
            down_read(&sem);
            (void)d.read();
            up_read(&sem);
        } else {
            down_write(&sem);
            d.write(1);
            up_write(&sem);
        }
    }
};

// T0: down_write; d = 1; downgrade; assert d == 1; up_read | T1: down_write; d = 2; up_write.
struct downgrade : scenario_instance {
    rw_semaphore sem{{"sem"}};
    plain<long> d{0, {"d"}};
    void run_thread(int t) override {
        down_write(&sem);
        d.write(t + 1);
        if (t == 0) {
            downgrade_write(&sem);
            VM_BUG_ON(d.read() != 1, "a writer got in during downgrade_write");
            up_read(&sem);
        } else {
            up_write(&sem);
        }
    }
};

// Message passing: T0: d = 1; publish flag | T1: if flag seen, read d.
template <bool Ordered, bool Fences>
struct message_passing : scenario_instance {
    plain<long> d{0, {"d"}};
    marked<long> flag{0, {"flag"}};
    void run_thread(int t) override {
        if (t == 0) {
            d.write(1);
            if (Ordered && !Fences) smp_store_release(flag, 1);
            if (Fences) smp_wmb();
            if (!Ordered || Fences) WRITE_ONCE(flag, 1);
        } else {
            const long seen = Ordered && !Fences ? smp_load_acquire(flag) : READ_ONCE(flag);
            if (Fences) smp_rmb();
            if (seen) (void)d.read();
        }
    }
};

// Readers write under down_read: readers are not ordered with each other.
struct rwsem_reader_writes : scenario_instance {
    rw_semaphore sem{{"sem"}};
    plain<long> d{0, {"d"}};
    void run_thread(int t) override {
        down_read(&sem);
        d.write(t);
        up_read(&sem);
    }
};

// T0 waits for a flag nobody sets.
struct livelock : scenario_instance {
    marked<long> flag{0, {"flag"}}, other{0, {"other"}};
    void run_thread(int t) override {
        if (t == 0)
            while (READ_ONCE(flag) == 0) backend::retry_hint(std::source_location::current());
        else
            WRITE_ONCE(other, 1);
    }
};

// Only choice 3 with T1's write seen first fails.
struct choice_assert : scenario_instance {
    marked<long> x{0, {"x"}};
    void run_thread(int t) override {
        if (t == 1) {
            WRITE_ONCE(x, 1);
            return;
        }
        const unsigned c = nondet_choice(4, "c");
        VM_BUG_ON(c == 3 && READ_ONCE(x) == 1, "choice 3 after the write");
    }
};

using selftests::make;

scenario_info tiny(const char* name, int threads, std::optional<violation_kind> expected) {
    scenario_info info;
    info.name = name;
    info.summary = "mc engine test program";
    info.source = "tests/mc/programs/tiny.cpp";
    info.threads = threads;
    info.variants = {{"default", expected ? "must fail" : "passes", expected}};
    info.bounds.relacy_search = "full";
    info.selftest = true;
    return info;
}

const auto none = std::nullopt;
const scenario_registration tiny_registrations[] = {
    {tiny("selftest/mc/independent", 2, none), &make<independent>},
    {tiny("selftest/mc/same-word", 2, none), &make<same_word>},
    {tiny("selftest/mc/two-reads", 2, none), &make<two_reads>},
    {tiny("selftest/mc/choice", 2, none), &make<choice3>},
    {tiny("selftest/mc/spin-until-set", 2, none), &make<spin_until_set>},
    {tiny("selftest/mc/own-write-after-other", 2, none), &make<own_write_after_other>},
    {tiny("selftest/mc/two-incs", 2, none), &make<two_incs>},
    {tiny("selftest/mc/inc-vs-read", 2, none), &make<inc_vs_read>},
    {tiny("selftest/mc/rwsem-readers", 3, none), &make<rwsem_readers>},
    {tiny("selftest/mc/downgrade", 2, none), &make<downgrade>},
    {tiny("selftest/mc/mp-release-acquire", 2, none), &make<message_passing<true, false>>},
    {tiny("selftest/mc/mp-fences", 2, none), &make<message_passing<true, true>>},
    {tiny("selftest/mc/mp-relaxed", 2, violation_kind::data_race), &make<message_passing<false, false>>},
    {tiny("selftest/mc/rwsem-reader-writes", 2, violation_kind::data_race), &make<rwsem_reader_writes>},
    {tiny("selftest/mc/livelock", 2, violation_kind::livelock), &make<livelock>},
    {tiny("selftest/mc/choice-assert", 2, violation_kind::assertion), &make<choice_assert>},
};

}  // namespace

MMCHECK_ENGINE_END
