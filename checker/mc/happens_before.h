// Happens-before for data-race detection, with vector clocks (FastTrack's epochs
// for plain words: Flanagan and Freund, PLDI 2009). Orders come from program order,
// lock release -> acquire, release/acquire atomics and release sequences (RMWs),
// RCU grace periods, and C11 fences (a relaxed load's clock is acquired at the next
// acquire fence; a relaxed store publishes the clock of the last release fence). Memory is
// sequentially consistent: a load reads the latest store, so `sync` of an object is
// the release clock of that store.
#pragma once

#include <optional>
#include <source_location>

#include "checker/mc/arena.h"

namespace mmcheck::mc {

struct race_found {
    int other_thread;
    std::source_location other;
    bool other_was_write;
};

class happens_before {
public:
    void reset() { threads_ = {}; }
    // A new step of thread t: its own clock component advances.
    void tick(int t) { ++threads_[t].now.c[t]; }
    const vclock& clock(int t) const { return threads_[t].now; }

    void atomic_load(int t, const object_state& o, bool acquire);
    void atomic_store(int t, object_state& o, bool release, bool rmw);
    void fence(int t, bool acquire, bool release);
    void lock_acquired(int t, const object_state& o, bool exclusive);
    void lock_released(int t, object_state& o, bool exclusive);
    // RCU: a grace period's start is ordered before every reader that enters
    // after it, and every reader's exit before the end of a grace period that
    // waited for it (the exits are joined: this may order a reader that was not
    // waited for). A reader's exit also acquires the grace periods begun so far,
    // since call_rcu() callbacks run in the thread whose exit ends their grace period.
    void grace_period_begin(int t, object_state& rcu) { rcu.sync.join(threads_[t].now); }
    void grace_period_end(int t, const object_state& rcu) { threads_[t].now.join(rcu.reader_sync); }
    void rcu_enter(int t, const object_state& rcu) { threads_[t].now.join(rcu.sync); }
    void rcu_exit(int t, object_state& rcu) {
        rcu.reader_sync.join(threads_[t].now);
        threads_[t].now.join(rcu.sync);
    }
    std::optional<race_found> plain_read(int t, object_state& o, const std::source_location& where);
    std::optional<race_found> plain_write(int t, object_state& o, const std::source_location& where);

private:
    struct thread_clocks {
        vclock now;
        vclock released;  // at the last release fence
        vclock acquired;  // of relaxed loads since, for the next acquire fence
    };
    bool ordered(int t, const plain_epoch& e) const {
        return e.thread < 0 || e.thread == t || threads_[t].now.covers(e.thread, e.tick);
    }
    std::array<thread_clocks, max_threads> threads_{};
};

}  // namespace mmcheck::mc
