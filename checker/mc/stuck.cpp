// When no live thread is enabled: a deadlock (every live thread waits for a lock,
// or for a grace period whose reader waits in turn), reported with its wait-for
// cycle, or a livelock (some live thread is only retrying: it re-reads locations
// that no thread that can still move will write).
// The report is made by one of the stuck threads, from its pending operation, so
// the violation carries that thread and call site like any other.
#include <string>

#include "checker/mc/runtime.h"

namespace mmcheck::mc {

std::string runtime::lock_name(std::uint32_t obj, int holder, const kernel::detail::execution& exec) const {
    // Seam locks hold their backend object as first member, so the seam's record
    // of held locks names it by the same address.
    const void* address = arena_[obj].address;
    const kernel::detail::thread_state& t = exec.threads[holder];
    for (int i = 0; i < t.nheld; ++i)
        if (t.held[i].lock == address) return kernel_label::to_string(t.held[i].name);
    return "lock#" + std::to_string(obj);
}

std::string runtime::wait_for_cycle(thread_mask live, const kernel::detail::execution& exec, int& first) const {
    // Follow "waits for a lock held by" from the lowest live thread until a thread
    // repeats (the cycle) or the chain ends.
    std::string chain;
    int order[max_threads];
    int n = 0;
    int t = lowest(live);
    while (true) {
        for (int i = 0; i < n; ++i) {
            if (order[i] != t) continue;
            first = t;
            return "wait-for cycle: " + chain;
        }
        order[n++] = t;
        const model_thread& th = threads_[t];
        const object_state& o = arena_[th.obj];
        const bool grace = th.pending == op::grace_wait;
        const int holder = grace ? lowest(kernel::detail::grace_period_waiting(exec, *th.grace))
                                 : o.owner >= 0 ? o.owner : lowest(o.readers);
        if (!chain.empty()) chain += " -> ";
        chain += "thread " + std::to_string(t) + " waits for ";
        if (holder < 0) {
            chain += "lock#" + std::to_string(th.obj) + " (free, but not granted: internal checker error)";
            break;
        }
        if (grace)
            chain += "an RCU grace period, which waits for thread " + std::to_string(holder) + " to leave rcu_read_lock()";
        else
            chain += lock_name(th.obj, holder, exec) + " held by thread " + std::to_string(holder);
        if (!(live & bit(holder))) {
            chain += ", which has ended without releasing it";
            break;
        }
        t = holder;
    }
    first = order[0];
    return "every live thread is blocked: " + chain;
}

void runtime::report_stuck(thread_mask live, bool step_limit, const kernel::detail::execution& exec) {
    int first = lowest(live);
    violation_kind kind = violation_kind::deadlock;
    std::string message;
    thread_mask retrying = 0;
    for (int t = 0; t < nthreads_; ++t)
        if ((live & bit(t)) && threads_[t].pending == op::retry) retrying |= bit(t);
    if (step_limit) {
        kind = violation_kind::livelock;
        message = "one execution took more than its step limit: a loop that waits for another thread "
                  "without calling retry_hint()? Mark retry loops with retry_hint() so the engine can block them";
    } else if (retrying != 0) {
        kind = violation_kind::livelock;
        first = lowest(retrying);
        message = "every live thread is blocked or only retrying: thread " + std::to_string(first) + " retries after re-reading " +
                  std::to_string(threads_[first].read_set.size()) +
                  " location(s) that no thread able to move will write again";
    } else {
        bool all_wait_for_locks = true;
        for (int t = 0; t < nthreads_; ++t)
            if (live & bit(t)) {
                const op p = threads_[t].pending;
                all_wait_for_locks = all_wait_for_locks && (p == op::lock || p == op::lock_shared || p == op::rw_lock ||
                                                            p == op::grace_wait);
            }
        if (all_wait_for_locks) {
            message = wait_for_cycle(live, exec, first);
        } else {
            kind = violation_kind::internal_error;
            message = "no thread can move, yet not all wait for locks or retry (internal checker error)";
        }
    }
    model_thread& th = threads_[first];
    th.stuck = kind;
    th.stuck_message = std::move(message);
    resume(first);
}

}  // namespace mmcheck::mc
