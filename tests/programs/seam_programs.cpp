// Small programs on the seam whose outcome every engine must reproduce: each is a
// self-test scenario (hidden from `mmcheck list`) with the violation it must report.
#include "model/kernel/primitives.h"
#include "scenarios/body.h"
#include "tests/programs/selftest.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace kernel;

// Two threads increment a plain counter without a lock: a data race on `count`.
struct racy_counter : scenario_instance {
    plain<long> count{0, {"count"}};
    void run_thread(int) override { count.write(count.read() + 1); }
};

// The same under a spinlock: no race, and the final count is exact.
struct locked_counter : scenario_instance {
    spinlock_t lock{{"lock"}};
    plain<long> count{0, {"count"}};
    void run_thread(int) override {
        spin_lock(&lock);
        count.write(count.read() + 1);
        spin_unlock(&lock);
    }
    void finish() override {
        if (count.read() != 2) report_violation(violation_kind::assertion, "lost update");
    }
};

// Marked accesses without a lock: no data race, but an update can be lost, which
// the final check reports as an assertion.
struct lost_update : scenario_instance {
    marked<long> count{0, {"count"}};
    void run_thread(int) override { WRITE_ONCE(count, READ_ONCE(count) + 1); }
    void finish() override {
        if (READ_ONCE(count) != 2) report_violation(violation_kind::assertion, "lost update");
    }
};

// Two locks of one class taken in both orders, the inner one with
// spin_lock_nested(): the subclass tells lockdep the nesting is ordered, so no
// lock-order cycle is recorded, but the interleaving where each thread holds its
// first lock is a real deadlock, which the engine's wait-for check reports. (The
// plain ABBA is a lock-order-inversion before it deadlocks: lock_programs.cpp.)
struct abba : scenario_instance {
    spinlock_t a{{"lock"}}, b{{"lock"}};
    void run_thread(int index) override {
        spinlock_t* first = index == 0 ? &a : &b;
        spinlock_t* second = index == 0 ? &b : &a;
        spin_lock(first);
        spin_lock_nested(second, SINGLE_DEPTH_NESTING);
        spin_unlock(second);
        spin_unlock(first);
    }
};

// Thread 0 takes the lock, publishes that it did and fails an assertion while
// holding it; thread 1 waits for a flag thread 0 never sets, thread 2 for the
// lock thread 0 never releases. Every engine must end the run with thread 0's
// finding; on real threads the two waiters must leave with it (they once spun on
// past the run's end and wrote into the next one's state).
struct abort_while_others_wait : scenario_instance {
    spinlock_t lock{{"lock"}};
    marked<int> locked{0, {"locked"}};
    marked<int> released{0, {"released"}};
    void run_thread(int index) override {
        if (index == 0) {
            spin_lock(&lock);
            WRITE_ONCE(locked, 1);
            report_violation(violation_kind::assertion, "failed while holding the lock");
        } else if (index == 1) {
            while (READ_ONCE(released) == 0) backend::retry_hint(std::source_location::current());
        } else {
            while (READ_ONCE(locked) == 0) backend::retry_hint(std::source_location::current());
            spin_lock(&lock);
            spin_unlock(&lock);
        }
    }
};

using selftests::make;
using selftests::selftest;

const scenario_registration racy_registration{
    selftest("selftest/racy-counter", "unlocked plain increments", violation_kind::data_race),
    &make<racy_counter>};
const scenario_registration locked_registration{
    selftest("selftest/locked-counter", "spinlocked plain increments", std::nullopt), &make<locked_counter>};
const scenario_registration lost_update_registration{
    selftest("selftest/lost-update", "READ_ONCE/WRITE_ONCE increments lose one", violation_kind::assertion),
    &make<lost_update>};
const scenario_registration abba_registration{
    selftest("selftest/abba-deadlock", "two nested locks of one class taken in both orders",
             violation_kind::deadlock),
    &make<abba>};
const scenario_registration abort_while_others_wait_registration{
    selftest("selftest/abort-while-others-wait",
             "a thread fails holding a lock that one thread waits for, while another waits for a flag",
             violation_kind::assertion, 3),
    &make<abort_while_others_wait>};

}  // namespace

MMCHECK_ENGINE_END
