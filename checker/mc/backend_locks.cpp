// Spinlocks, sleeping locks and rw_semaphores of the mc backend. A lock that is not
// available makes the waiting thread not enabled (runtime::enabled), so the step
// that takes it runs only when it can: no spinning, and a wait that can never end
// is a deadlock. Every lock operation is an access to the lock object for DPOR;
// rwsem shared operations commute with each other.
#include "checker/mc/runtime.h"
#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel::backend {

namespace {

using mc::op;
using mc::runtime;

// The runtime and this lock's arena slot, or null outside the engine.
struct lock_site {
    runtime* rt;
    std::uint32_t obj;
    bool tracked;
};

lock_site enter(arena_handle& h, const void* self, op kind, const site& where) {
    runtime* rt = runtime::active();
    if (rt == nullptr) return {nullptr, 0, false};
    const std::uint32_t obj = rt->object(h.slot, h.generation, self);
    rt->step(kind, obj, where);
    return {rt, obj, !rt->direct()};
}

void take(const lock_site& l, bool exclusive) {
    if (l.rt == nullptr) return;
    mc::object_state& s = l.rt->state(l.obj);
    const int t = l.rt->current();
    if (exclusive)
        s.owner = static_cast<std::int8_t>(t);
    else
        s.readers |= mc::bit(t);
    if (!l.tracked) return;
    l.rt->hb().lock_acquired(t, s, exclusive);
    l.rt->note_read(l.obj);
    l.rt->note_write(l.obj);
    l.rt->note_acquired(l.obj);
}

void give(const lock_site& l, bool exclusive) {
    if (l.rt == nullptr) return;
    mc::object_state& s = l.rt->state(l.obj);
    const int t = l.rt->current();
    if (l.tracked) {
        l.rt->hb().lock_released(t, s, exclusive);
        l.rt->note_write(l.obj);
    }
    if (exclusive)
        s.owner = -1;
    else
        s.readers &= ~mc::bit(t);
}

bool free_for(const lock_site& l, bool exclusive) {
    if (l.rt == nullptr) return true;
    const mc::object_state& s = l.rt->state(l.obj);
    const bool ok = s.owner < 0 && (!exclusive || s.readers == 0);
    if (!ok && l.tracked) {  // a failed trylock only observed the lock
        l.rt->note_read(l.obj);
        l.rt->observed_only();
    }
    return ok;
}

}  // namespace

void mutex::lock(const site& where) { take(enter(handle_, this, op::lock, where), true); }

bool mutex::try_lock(const site& where) {
    const lock_site l = enter(handle_, this, op::try_lock, where);
    if (!free_for(l, true)) return false;
    take(l, true);
    return true;
}

void mutex::unlock(const site& where) { give(enter(handle_, this, op::unlock, where), true); }

void rwsem::lock_shared(const site& where) { take(enter(handle_, this, op::lock_shared, where), false); }

bool rwsem::try_lock_shared(const site& where) {
    const lock_site l = enter(handle_, this, op::try_lock_shared, where);
    if (!free_for(l, false)) return false;
    take(l, false);
    return true;
}

void rwsem::unlock_shared(const site& where) { give(enter(handle_, this, op::unlock_shared, where), false); }

void rwsem::lock(const site& where) { take(enter(handle_, this, op::rw_lock, where), true); }

bool rwsem::try_lock(const site& where) {
    const lock_site l = enter(handle_, this, op::rw_try_lock, where);
    if (!free_for(l, true)) return false;
    take(l, true);
    return true;
}

void rwsem::unlock(const site& where) { give(enter(handle_, this, op::rw_unlock, where), true); }

// Exact: the writer becomes a reader in one step, so no other writer gets in.
void rwsem::downgrade(const site& where) {
    const lock_site l = enter(handle_, this, op::downgrade, where);
    give(l, true);
    if (l.rt != nullptr) l.rt->state(l.obj).readers |= mc::bit(l.rt->current());
}

}  // namespace kernel::backend
MMCHECK_ENGINE_END
