// Seam programs for the lock checks of model/kernel/detail/lockdep.h: each
// must-fail program has a must-pass counterpart that differs only in the rule.
#include "model/kernel/primitives.h"
#include "tests/programs/selftest.h"

MMCHECK_ENGINE_BEGIN

namespace {

using namespace kernel;
using selftests::make;
using selftests::selftest;

// Thread 0 takes a then b, thread 1 b then a. Every execution records both
// orders before it can deadlock: lock-order-inversion with both chains.
struct abba_order : scenario_instance {
    spinlock_t a{{"a"}}, b{{"b"}};
    void run_thread(int index) override {
        spinlock_t* first = index == 0 ? &a : &b;
        spinlock_t* second = index == 0 ? &b : &a;
        spin_lock(first);
        spin_lock(second);
        spin_unlock(second);
        spin_unlock(first);
    }
};

// Both threads take a then b: one order, nothing to report.
struct ab_order : scenario_instance {
    spinlock_t a{{"a"}}, b{{"b"}};
    void run_thread(int) override {
        spin_lock(&a);
        spin_lock(&b);
        spin_unlock(&b);
        spin_unlock(&a);
    }
};

// A cycle no pair of locks shows: thread 0 takes a -> b and later b -> c,
// thread 1 takes c -> a. The report prints the two-step chain a -> b -> c.
struct three_class_cycle : scenario_instance {
    spinlock_t a{{"a"}}, b{{"b"}}, c{{"c"}};
    void nest(spinlock_t* outer, spinlock_t* inner) {
        spin_lock(outer);
        spin_lock(inner);
        spin_unlock(inner);
        spin_unlock(outer);
    }
    void run_thread(int index) override {
        if (index == 0) {
            nest(&a, &b);
            nest(&b, &c);
        } else {
            nest(&c, &a);
        }
    }
};

// Two locks of one class nested without a subclass: lockdep's recursive locking.
struct same_class_unannotated : scenario_instance {
    spinlock_t outer{{"ptl"}}, inner{{"ptl"}};
    void run_thread(int index) override {
        if (index != 0) return;
        spin_lock(&outer);
        spin_lock(&inner);
        spin_unlock(&inner);
        spin_unlock(&outer);
    }
};

// The same nesting annotated as the kernel's pmd ptl -> pte ptl is, by both threads.
struct same_class_nested : scenario_instance {
    spinlock_t outer{{"ptl"}}, inner{{"ptl"}};
    void run_thread(int) override {
        spin_lock(&outer);
        spin_lock_nested(&inner, SINGLE_DEPTH_NESTING);
        spin_unlock(&inner);
        spin_unlock(&outer);
    }
};

// Thread 1 returns with the lock held (a missing spin_unlock on an error path).
struct ends_holding : scenario_instance {
    spinlock_t lock{{"lock"}};
    void run_thread(int index) override {
        spin_lock(&lock);
        if (index == 0) spin_unlock(&lock);
    }
};

// up_read() of an rwsem taken with down_write().
struct rwsem_wrong_mode : scenario_instance {
    rw_semaphore sem{{"sem"}};
    void run_thread(int index) override {
        if (index == 0) {
            down_read(&sem);
            up_read(&sem);
            return;
        }
        down_write(&sem);
        up_read(&sem);
    }
};

// Every release in its mode, including downgrade_write() then up_read().
struct rwsem_balanced : scenario_instance {
    rw_semaphore sem{{"sem"}};
    void run_thread(int index) override {
        if (index == 0) {
            down_read(&sem);
            up_read(&sem);
            return;
        }
        down_write(&sem);
        downgrade_write(&sem);
        up_read(&sem);
    }
};

// A thread that returns inside rcu_read_lock().
struct ends_in_rcu : scenario_instance {
    void run_thread(int index) override {
        rcu_read_lock();
        if (index == 0) rcu_read_unlock();
    }
};

const scenario_registration lock_registrations[] = {
    {selftest("selftest/abba-lock-order", "two spinlocks taken in both orders", violation_kind::lock_order),
     &make<abba_order>},
    {selftest("selftest/ab-lock-order", "two spinlocks taken in one order", std::nullopt), &make<ab_order>},
    {selftest("selftest/three-class-cycle", "three spinlocks whose orders form a cycle",
              violation_kind::lock_order),
     &make<three_class_cycle>},
    {selftest("selftest/same-class-unannotated", "one lock class nested without spin_lock_nested",
              violation_kind::lock_order),
     &make<same_class_unannotated>},
    {selftest("selftest/same-class-nested", "one lock class nested with spin_lock_nested", std::nullopt),
     &make<same_class_nested>},
    {selftest("selftest/ends-holding-lock", "a thread returns with a spinlock held", violation_kind::lock_discipline),
     &make<ends_holding>},
    {selftest("selftest/rwsem-wrong-mode", "down_write then up_read", violation_kind::lock_discipline),
     &make<rwsem_wrong_mode>},
    {selftest("selftest/rwsem-balanced", "every rwsem release in its mode", std::nullopt), &make<rwsem_balanced>},
    {selftest("selftest/ends-in-rcu", "a thread returns inside rcu_read_lock", violation_kind::lock_discipline),
     &make<ends_in_rcu>},
};

}  // namespace

MMCHECK_ENGINE_END
