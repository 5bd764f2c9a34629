// Happens-before for data-race detection, with vector clocks (FastTrack's epochs
// for plain words: Flanagan and Freund, PLDI 2009). Orders come from program order,
// lock release -> acquire, release/acquire atomics and release sequences (RMWs),
// and C11 fences (a relaxed load's clock is acquired at the next acquire fence; a
// relaxed store publishes the clock of the last release fence). Memory is
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
