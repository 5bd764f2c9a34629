// What one step of a model thread touches, as the exploration strategies see it:
// the object (an arena index), how (read, write, shared lock op, or anything), and
// the log of an execution's steps that DPOR analyses afterwards. Plain data, shared
// by the runtime (which fills it) and the strategies (which read it).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace mmcheck::mc {

inline constexpr int max_threads = 4;  // kernel::detail::max_threads
using thread_mask = unsigned;
inline constexpr thread_mask bit(int t) { return 1u << t; }

// Object 0 is the global fence object: seq_cst fences (smp_mb, call_rcu) write it.
inline constexpr std::uint32_t global_object = 0;
// Object 1 is RCU: read-side entries and exits are shared accesses to it (readers
// commute); grace-period snapshots and ends write it, so a grace period's end
// depends on the exits of the readers it waited for. An exit that may end the
// grace period of a queued call_rcu() writes it too: its callback runs in the
// thread whose exit comes last, so the order of such exits matters.
inline constexpr std::uint32_t rcu_object = 1;

enum class access_kind : std::uint8_t {
    none,    // thread-local step (start, choice-only, relaxed fences)
    read,    // load, plain read, failed trylock, failed cmpxchg
    write,   // store, RMW, exclusive lock/unlock, downgrade
    shared,  // rwsem shared acquire/release: commutes with other shared ops
    any,     // dependent with everything (a retry that read nothing)
    rereads,  // a retry step: re-reads the objects in `reread` (a retry that read some)
    add,      // a relaxed RMW whose result is unused (atomic_inc()): commutes with other adds
};

// The set of objects a retry step re-reads, as a 64-bit Bloom filter: a retry
// commutes with every step that does not change one of them (its enabledness
// and its effect depend on their versions only), and a false positive only
// costs reduction, never soundness.
inline constexpr std::uint64_t object_bit(std::uint32_t obj) {
    return std::uint64_t{1} << ((obj * 0x9E3779B9u) >> 26);
}

struct access {
    std::uint32_t obj = global_object;
    access_kind kind = access_kind::none;
    std::uint64_t reread = 0;  // rereads: object_bit() of each object
};

// Two steps of different threads commute unless they touch the same object and at
// least one changes it for the other (two reads, two shared lock ops, or two adds
// whose results nobody reads, commute: either order leaves the same value, and a
// relaxed add orders nothing).
inline bool dependent(const access& a, const access& b) {
    if (a.kind == access_kind::any || b.kind == access_kind::any) return true;
    if (a.kind == access_kind::none || b.kind == access_kind::none) return false;
    if (a.kind == access_kind::rereads || b.kind == access_kind::rereads) {
        const access& retry = a.kind == access_kind::rereads ? a : b;
        const access& other = a.kind == access_kind::rereads ? b : a;
        if (other.kind == access_kind::rereads || other.kind == access_kind::read) return false;
        return (retry.reread & object_bit(other.obj)) != 0;
    }
    if (a.obj != b.obj) return false;
    if (a.kind == access_kind::read && b.kind == access_kind::read) return false;
    if (a.kind == access_kind::shared && b.kind == access_kind::shared) return false;
    if (a.kind == access_kind::add && b.kind == access_kind::add) return false;
    return true;
}

enum class step_role : std::uint8_t {
    plain,             // no blocking role
    blocking_acquire,  // lock / lock_shared / grace-period wait: enabled only when it can end
    release,           // unlock / unlock_shared / downgrade / rcu exit: `pair` is its acquire
    retry,             // retry_hint: enabled once a location it read is written
};

// One scheduling decision's step: the pending operation the chosen thread ran.
struct event {
    std::uint8_t thread = 0;
    step_role role = step_role::plain;
    access acc;
    std::int32_t pair = -1;  // release: index of the event that acquired
    std::uint32_t reads_begin = 0, reads_end = 0;  // retry: objects it re-reads
};

struct event_log {
    std::vector<event> events;
    std::vector<std::uint32_t> retry_reads;  // objects of retry events, by range
    void clear() {
        events.clear();
        retry_reads.clear();
    }
};

// What a strategy sees at a scheduling point.
struct decision_view {
    thread_mask enabled = 0;
    int last = -1;  // thread that ran the previous step
    int nthreads = 0;
    const std::array<access, max_threads>* pending = nullptr;  // each thread's next step
};

}  // namespace mmcheck::mc
