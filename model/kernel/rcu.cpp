// RCU on the seam (see rcu.h): the read side's nesting and exits per thread, grace
// periods as readers snapshots, call_rcu() callbacks. The backend schedules and
// orders: rcu_read_enter/exit are its scheduling points for the read side,
// grace_period_begin the point where a grace period takes its snapshot, and
// grace_period_wait blocks the caller until the snapshot's readers have left (the
// in-house engine as a blocking wait, Relacy and native threads by spinning).
#include "model/kernel/rcu.h"

#include <vector>

#include "model/kernel/check.h"

MMCHECK_ENGINE_BEGIN
namespace kernel::detail {

grace_period grace_period_snapshot(const execution& exec) {
    grace_period gp;
    for (int t = 0; t < exec.nthreads; ++t) {
        if (exec.threads[t].rcu_depth > 0) gp.waiting |= 1u << t;
        gp.exits_at_begin[t] = exec.threads[t].rcu_exits;
    }
    return gp;
}

unsigned grace_period_waiting(const execution& exec, grace_period& gp) {
    for (int t = 0; t < exec.nthreads; ++t)
        if ((gp.waiting & (1u << t)) && exec.threads[t].rcu_exits > gp.exits_at_begin[t]) gp.waiting &= ~(1u << t);
    return gp.waiting;
}

}  // namespace kernel::detail

namespace kernel {

using detail::execution;

void rcu_read_lock(const std::source_location& where) {
    backend::rcu_read_enter(where);
    if (execution* exec = detail::current_execution()) {
        backend::bookkeeping_guard guard;
        ++exec->threads[backend::thread_id()].rcu_depth;
    }
    detail::record("rcu_read_lock", {"rcu"}, nullptr, 0, 0, where);
}

namespace {

// Runs every queued callback whose grace period has ended, in the thread that
// ended it, right away: the earliest moment the kernel allows, and the most
// adversarial for readers that should have been waited for. The callbacks are
// taken out under the bookkeeping lock and run after it is dropped: a callback
// frees pages (pte_free_defer), which takes that lock again, and the native
// engine's lock is an ordinary mutex.
void run_ready_callbacks(execution& exec) {
    std::vector<detail::rcu_pending> ready;
    {
        backend::bookkeeping_guard guard;
        for (std::size_t i = 0; i < exec.rcu_callbacks.size();) {
            if (detail::grace_period_waiting(exec, exec.rcu_callbacks[i].gp) != 0) {
                ++i;
                continue;
            }
            ready.push_back(exec.rcu_callbacks[i]);
            exec.rcu_callbacks.erase(exec.rcu_callbacks.begin() + static_cast<long>(i));
        }
    }
    for (const detail::rcu_pending& p : ready) p.func(p.head);
}

}  // namespace

void rcu_read_unlock(const std::source_location& where) {
    execution* exec = detail::current_execution();
    if (exec != nullptr && exec->threads[backend::thread_id()].rcu_depth == 0)
        report_violation(violation_kind::lock_discipline, "rcu_read_unlock without rcu_read_lock", where);
    backend::rcu_read_exit(where);
    detail::record("rcu_read_unlock", {"rcu"}, nullptr, 0, 0, where);
    if (exec == nullptr) return;
    detail::thread_state& self = exec->threads[backend::thread_id()];
    bool left;
    {
        backend::bookkeeping_guard guard;
        left = --self.rcu_depth == 0;
        if (left) ++self.rcu_exits;
    }
    if (left) run_ready_callbacks(*exec);
}

void call_rcu(rcu_head* head, rcu_callback func, const std::source_location& where) {
    backend::fence(backend::mo::seq_cst, where);
    detail::record("call_rcu", head->name, nullptr, 0, 0, where);
    execution* exec = detail::current_execution();
    if (exec == nullptr) {
        func(head);
        return;
    }
    backend::grace_period_begin(where);
    {
        backend::bookkeeping_guard guard;
        exec->rcu_callbacks.push_back({func, head, detail::grace_period_snapshot(*exec)});
    }
    run_ready_callbacks(*exec);
}

// The full barrier before the snapshot is synchronize_rcu()'s own (the kernel's
// grace-period machinery orders the caller's earlier accesses before any reader
// that starts after the grace period began); tlb_remove_table_sync_one() relies on it.
void synchronize_rcu(const std::source_location& where) {
    if (rcu_read_lock_held())
        report_violation(violation_kind::lock_discipline, "synchronize_rcu inside an RCU read-side section", where);
    detail::record("synchronize_rcu", {"rcu"}, nullptr, 0, 0, where);
    execution* exec = detail::current_execution();
    if (exec == nullptr) return;
    backend::fence(backend::mo::seq_cst, where);
    backend::grace_period_begin(where);
    detail::grace_period gp;
    {
        backend::bookkeeping_guard guard;
        gp = detail::grace_period_snapshot(*exec);
    }
    backend::grace_period_wait(gp, where);
    backend::fence(backend::mo::seq_cst, where);
}

bool rcu_read_lock_held() {
    execution* exec = detail::current_execution();
    return exec != nullptr && exec->threads[backend::thread_id()].rcu_depth > 0;
}

}  // namespace kernel
MMCHECK_ENGINE_END
