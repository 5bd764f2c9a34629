// RCU in the mc backend: the read side's entry and exit are scheduling points on
// the RCU object (access.h), a grace period's snapshot is one, and its wait blocks
// the thread (runtime::enabled) until every reader in the snapshot has left, so a
// grace period costs no spinning and its end is a step that DPOR sees depending on
// those readers' exits. The readers themselves are counted by the seam
// (model/kernel/rcu.cpp), which every engine shares.
#include "checker/mc/runtime.h"
#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel::backend {

namespace {

using mc::op;
using mc::runtime;


bool outermost() {
    const detail::execution* exec = detail::current_execution();
    return exec == nullptr || exec->threads[thread_id()].rcu_depth == 0;
}

// Whether leaving the running thread's read-side section (its last level) may end
// the grace period of a queued callback, which would then run in this thread.
bool may_end_callback_grace_period() {
    detail::execution* exec = detail::current_execution();
    if (exec == nullptr || exec->threads[thread_id()].rcu_depth != 1) return false;
    for (detail::rcu_pending& p : exec->rcu_callbacks)
        if (detail::grace_period_waiting(*exec, p.gp) & (1u << thread_id())) return true;
    return false;
}

}  // namespace

void rcu_read_enter(const site& where) {
    runtime* rt = runtime::tracked();
    if (rt == nullptr) return;
    rt->step(op::rcu_lock, mc::rcu_object, where);
    rt->hb().rcu_enter(rt->current(), rt->state(mc::rcu_object));
    if (outermost()) rt->note_acquired(mc::rcu_object);  // the exit's pair, for DPOR
}

void rcu_read_exit(const site& where) {
    runtime* rt = runtime::tracked();
    if (rt == nullptr) return;
    rt->step(may_end_callback_grace_period() ? op::rcu_unlock_ending : op::rcu_unlock, mc::rcu_object, where);
    rt->hb().rcu_exit(rt->current(), rt->state(mc::rcu_object));
    rt->note_write(mc::rcu_object);
}

void grace_period_begin(const site& where) {
    runtime* rt = runtime::tracked();
    if (rt == nullptr) return;
    rt->step(op::grace_begin, mc::rcu_object, where);
    rt->hb().grace_period_begin(rt->current(), rt->state(mc::rcu_object));
    rt->note_write(mc::rcu_object);
}

void grace_period_wait(detail::grace_period& gp, const site& where) {
    runtime* rt = runtime::tracked();
    // A grace period with no reader to wait for ends where it began.
    if (rt == nullptr || detail::grace_period_waiting(*detail::current_execution(), gp) == 0) return;
    rt->wait_grace_period(gp, where);
    rt->hb().grace_period_end(rt->current(), rt->state(mc::rcu_object));
    rt->note_write(mc::rcu_object);
}

}  // namespace kernel::backend
MMCHECK_ENGINE_END
