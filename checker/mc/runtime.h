// One run of the in-house engine: model threads as Boost.Context fibers on the
// calling OS thread, and the scheduler loop that, at every seam operation, asks a
// strategy which enabled thread runs next. A thread announces its next operation
// and suspends; the scheduler knows every thread's pending operation, hence which
// are enabled (a lock wait or a retry loop blocks the thread instead of spinning)
// and what each step touches (the event log that DPOR analyses).
#pragma once

#include <array>
#include <cstdint>
#include <source_location>
#include <string>
#include <vector>

#include <boost/context/fiber.hpp>

#include "checker/mc/arena.h"
#include "checker/mc/fiber_stacks.h"
#include "checker/mc/happens_before.h"
#include "checker/mc/strategy.h"
#include "model/kernel/detail/execution.h"
#include "scenarios/body.h"

namespace mmcheck::mc {

static_assert(max_threads == kernel::detail::max_threads);

// The operations a model thread can be suspended at.
enum class op : std::uint8_t {
    load, store, rmw, add, cas, plain_read, plain_write, fence_sc, fence,
    lock, try_lock, unlock, lock_shared, try_lock_shared, unlock_shared, rw_lock, rw_try_lock, rw_unlock,
    downgrade, retry, retire, rcu_lock, rcu_unlock, rcu_unlock_ending, grace_begin, grace_wait,
};

// Thrown to unwind a model thread (or the set-up or final check) after a violation.
struct execution_aborted {};

class runtime {
public:
    runtime();
    ~runtime();
    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    // The one hook from the backend to the running engine.
    static runtime*& active();
    // The active runtime when the running code is a model thread under the engine,
    // else null (the backend then runs the operation at once, untracked).
    static runtime* tracked() {
        runtime* rt = active();
        return rt != nullptr && !rt->direct() ? rt : nullptr;
    }

    // --- Used by the backend (checker/mc/backend_ops.cpp), inside an execution.
    // Outside model threads (set-up, final check, unwinding) operations run at once
    // and are not tracked.
    bool direct() const { return direct_; }
    int current() const { return current_; }
    std::uint32_t object(std::uint32_t& slot, std::uint32_t& generation, const void* address) {
        return arena_.slot(slot, generation, address);
    }
    object_state& state(std::uint32_t obj) { return arena_[obj]; }
    happens_before& hb() { return hb_; }
    // A scheduling point: announce `kind` on `obj` and wait to be picked.
    void step(op kind, std::uint32_t obj, const std::source_location& where);
    void note_read(std::uint32_t obj);   // the running thread observed obj
    void note_write(std::uint32_t obj);  // the running thread changed obj
    // The event that made the running thread the holder of lock obj (for DPOR).
    void note_acquired(std::uint32_t obj) { arena_[obj].acquired_at[current_] = last_event_[current_]; }
    // The running thread's step only observed its object (a failed cmpxchg or
    // trylock): DPOR's log records it as a read, so failed attempts commute.
    void observed_only() {
        if (!direct_) log_.events[static_cast<std::size_t>(last_event_[current_])].acc.kind = access_kind::read;
    }
    unsigned choose(unsigned n);
    // Blocks the running thread until `gp` has no reader left (op::grace_wait).
    void wait_grace_period(kernel::detail::grace_period& gp, const std::source_location& where);

    // --- Used by the driver.
    struct setup {
        scenario_factory factory;
        const variant_info* variant;
        int threads;
        bool tracing;
        std::uint64_t max_steps;
    };
    execution_end run(strategy& s, const setup& what, kernel::detail::execution& exec);
    const event_log& log() const { return log_; }
    const std::vector<decision>& decisions() const { return decisions_; }

private:
    struct model_thread {
        boost::context::fiber fiber;  // the suspended thread (scheduler side)
        boost::context::fiber main;   // the scheduler (thread side)
        bool live = false;
        op pending = op::fence;
        std::uint32_t obj = 0;
        std::source_location where;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> read_set;  // object, version seen
        std::uint64_t steps = 0;
        std::uint64_t others_at_hint = 0;  // other threads' steps when it last hinted
        kernel::detail::grace_period* grace = nullptr;  // grace_wait: the readers it waits for
        // Set by the scheduler when no thread can move: the thread reports it.
        violation_kind stuck = violation_kind::none;
        std::string stuck_message;
    };

    void start_threads(const setup& what, kernel::detail::execution& exec);
    void resume(int t);
    bool enabled(const model_thread& th) const;
    access pending_access(const model_thread& th) const;
    void log_step(int t);
    void report_stuck(thread_mask live, bool step_limit, const kernel::detail::execution& exec);
    std::string wait_for_cycle(thread_mask live, const kernel::detail::execution& exec, int& first) const;
    std::string lock_name(std::uint32_t obj, int holder, const kernel::detail::execution& exec) const;
    void teardown();

    stack_pool& stacks_;
    std::array<model_thread, max_threads> threads_;
    int nthreads_ = 0;
    int current_ = 0;
    bool direct_ = true;
    std::uint64_t total_steps_ = 0;
    std::array<std::int32_t, max_threads> last_event_{};
    arena arena_;
    happens_before hb_;
    event_log log_;
    std::vector<decision> decisions_;
    strategy* strategy_ = nullptr;
    kernel::detail::execution* exec_ = nullptr;
    std::unique_ptr<scenario_instance> instance_;
};

}  // namespace mmcheck::mc
