// The backend operations declared in backend_mc.h: each is a scheduling point
// (runtime::step), then performs the operation on the object's value and tells the
// runtime what it observed and changed (happens-before, retry read sets, versions).
// In set-up, the final check and unwinding (runtime::direct) operations just run.
#include <string>

#include "checker/mc/runtime.h"
#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel::backend {

namespace {

using mc::op;
using mc::runtime;

bool acquires(mo order) { return order != mo::relaxed && order != mo::release; }
bool releases(mo order) { return order == mo::release || order == mo::acq_rel || order == mo::seq_cst; }

std::uint32_t slot_of(runtime& rt, arena_handle& h, const void* self) {
    return rt.object(h.slot, h.generation, self);
}

std::string short_path(const char* file) {
    const std::string path = file;
    for (const char* top : {"/model/", "/scenarios/", "/tests/", "/checker/"}) {
        const auto at = path.rfind(top);
        if (at != std::string::npos) return path.substr(at + 1);
    }
    return path;
}

[[noreturn]] void report_race(const mc::race_found& r, bool this_is_write, const site& where) {
    const std::string message = std::string("plain ") + (this_is_write ? "write" : "read") + " by thread " +
                                std::to_string(thread_id()) + " races with the plain " +
                                (r.other_was_write ? "write" : "read") + " by thread " + std::to_string(r.other_thread) +
                                " at " + short_path(r.other.file_name()) + ":" + std::to_string(r.other.line()) +
                                ": no lock, release/acquire or fence orders them";
    detail::violation(violation_kind::data_race, message, where);
}

}  // namespace

void track_rmw(arena_handle& handle, const void* self, mo order, const site& where, op kind = op::rmw);

word atomic_word::load(mo order, const site& where) const {
    if (runtime* rt = runtime::tracked()) {
        const std::uint32_t obj = slot_of(*rt, handle_, this);
        rt->step(op::load, obj, where);
        rt->hb().atomic_load(rt->current(), rt->state(obj), acquires(order));
        rt->note_read(obj);
    }
    return value_;
}

void atomic_word::store(word v, mo order, const site& where) {
    if (runtime* rt = runtime::tracked()) {
        const std::uint32_t obj = slot_of(*rt, handle_, this);
        rt->step(op::store, obj, where);
        rt->hb().atomic_store(rt->current(), rt->state(obj), releases(order), false);
        rt->note_write(obj);
    }
    value_ = v;
}

// exchange and fetch_add: a read-modify-write with `order` on both halves. An
// op::add is one whose result nobody reads (atomic_word::add): nothing is
// observed, so a retry has no read of it to wait on.
void track_rmw(arena_handle& handle, const void* self, mo order, const site& where, op kind) {
    if (runtime* rt = runtime::tracked()) {
        const std::uint32_t obj = slot_of(*rt, handle, self);
        rt->step(kind, obj, where);
        rt->hb().atomic_load(rt->current(), rt->state(obj), acquires(order));
        rt->hb().atomic_store(rt->current(), rt->state(obj), releases(order), true);
        if (kind != op::add) rt->note_read(obj);
        rt->note_write(obj);
    }
}

word atomic_word::exchange(word v, mo order, const site& where) {
    track_rmw(handle_, this, order, where);
    const word before = value_;
    value_ = v;
    return before;
}

word atomic_word::fetch_add(word delta, mo order, const site& where) {
    track_rmw(handle_, this, order, where);  // the value is read after the scheduling point
    const word before = value_;
    value_ = before + delta;
    return before;
}

// A relaxed add whose result nobody reads: DPOR lets two of them commute
// (access_kind::add).
void atomic_word::add(word delta, const site& where) {
    track_rmw(handle_, this, mo::relaxed, where, op::add);
    value_ += delta;
}

bool atomic_word::compare_exchange(word& expected, word desired, mo order, const site& where) {
    runtime* rt = runtime::tracked();
    std::uint32_t obj = 0;
    if (rt != nullptr) {
        obj = slot_of(*rt, handle_, this);
        rt->step(op::cas, obj, where);
        rt->hb().atomic_load(rt->current(), rt->state(obj), acquires(order));
        rt->note_read(obj);
    }
    if (value_ != expected) {
        if (rt != nullptr) rt->observed_only();
        expected = value_;
        return false;
    }
    if (rt != nullptr) {
        rt->hb().atomic_store(rt->current(), rt->state(obj), releases(order), true);
        rt->note_write(obj);
    }
    value_ = desired;
    return true;
}

void atomic_word::retire(const site& where) {
    if (runtime* rt = runtime::tracked()) {
        const std::uint32_t obj = slot_of(*rt, handle_, this);
        rt->step(op::retire, obj, where);
        rt->note_write(obj);
    }
}

word plain_word::read(const site& where) const {
    if (runtime* rt = runtime::tracked()) {
        const std::uint32_t obj = slot_of(*rt, handle_, this);
        rt->step(op::plain_read, obj, where);
        if (auto race = rt->hb().plain_read(rt->current(), rt->state(obj), where)) report_race(*race, false, where);
        rt->note_read(obj);
    }
    return value_;
}

void plain_word::write(word v, const site& where) {
    if (runtime* rt = runtime::tracked()) {
        const std::uint32_t obj = slot_of(*rt, handle_, this);
        rt->step(op::plain_write, obj, where);
        if (auto race = rt->hb().plain_write(rt->current(), rt->state(obj), where)) report_race(*race, true, where);
        rt->note_write(obj);
    }
    value_ = v;
}

void fence(mo order, const site& where) {
    if (runtime* rt = runtime::tracked()) {
        rt->step(order == mo::seq_cst ? op::fence_sc : op::fence, mc::global_object, where);
        rt->hb().fence(rt->current(), acquires(order), releases(order));
        if (order == mo::seq_cst) rt->note_write(mc::global_object);
    }
}

unsigned choose(unsigned n, const site&) {
    runtime* rt = runtime::active();
    return rt != nullptr ? rt->choose(n) : 0;
}

int thread_id() {
    runtime* rt = runtime::active();
    return rt != nullptr ? rt->current() : 0;
}

void retry_hint(const site& where) {
    if (runtime* rt = runtime::tracked()) rt->step(op::retry, mc::global_object, where);
}

void abort_execution() { throw mc::execution_aborted{}; }

}  // namespace kernel::backend
MMCHECK_ENGINE_END
