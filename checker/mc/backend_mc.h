// The in-house engine's backend, as seen by model code (included by
// model/kernel/detail/backend.h under MMCHECK_ENGINE_MC). Model threads are fibers
// of one OS thread; every operation here is a scheduling point that asks the
// engine's runtime (checker/mc/runtime.h) whom to run. Values live in the objects;
// everything the engine keeps about an object for one execution (lock owner, clocks,
// version) lives in the runtime's per-execution arena, reached by a handle that is
// assigned on the object's first use in an execution, so resetting is a clear().
#pragma once

#include <cstdint>
#include <source_location>

MMCHECK_ENGINE_BEGIN
namespace kernel::detail {
struct grace_period;
}
namespace kernel::backend {

using word = std::uint64_t;
using site = std::source_location;

// Whether every model thread of a run shares one OS thread (fibers).
inline constexpr bool single_os_thread = true;

// An object's slot in the running execution's arena; stale when `generation` is
// not the current execution's.
struct arena_handle {
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;
};

class atomic_word {
public:
    explicit atomic_word(word initial = 0) : value_(initial) {}
    atomic_word(const atomic_word&) = delete;
    atomic_word& operator=(const atomic_word&) = delete;
    word load(mo order, const site& where) const;
    void store(word v, mo order, const site& where);
    word exchange(word v, mo order, const site& where);
    word fetch_add(word delta, mo order, const site& where);
    void add(word delta, const site& where);
    bool compare_exchange(word& expected, word desired, mo order, const site& where);
    void retire(const site& where);

private:
    word value_;
    mutable arena_handle handle_;
};

class plain_word {
public:
    explicit plain_word(word initial = 0) : value_(initial) {}
    plain_word(const plain_word&) = delete;
    plain_word& operator=(const plain_word&) = delete;
    word read(const site& where) const;
    void write(word v, const site& where);

private:
    word value_;
    mutable arena_handle handle_;
};

class mutex {
public:
    mutex() = default;
    mutex(const mutex&) = delete;
    mutex& operator=(const mutex&) = delete;
    void lock(const site& where);
    bool try_lock(const site& where);
    void unlock(const site& where);

private:
    arena_handle handle_;
};

// Exact rw_semaphore semantics, including downgrade (no writer can get in between).
// Readers are not held back by a waiting writer (the kernel's fairness is not modeled).
class rwsem {
public:
    rwsem() = default;
    rwsem(const rwsem&) = delete;
    rwsem& operator=(const rwsem&) = delete;
    void lock_shared(const site& where);
    bool try_lock_shared(const site& where);
    void unlock_shared(const site& where);
    void lock(const site& where);
    bool try_lock(const site& where);
    void unlock(const site& where);
    void downgrade(const site& where);

private:
    arena_handle handle_;
};

void fence(mo order, const site& where);
unsigned choose(unsigned n, const site& where);
int thread_id();
void retry_hint(const site& where);
// RCU (model/kernel/rcu.cpp keeps the readers; see backend.h).
void rcu_read_enter(const site& where);
void rcu_read_exit(const site& where);
void grace_period_begin(const site& where);
void grace_period_wait(detail::grace_period& gp, const site& where);
[[noreturn]] void abort_execution();

// All model threads are fibers of one OS thread: checker bookkeeping needs no lock.
struct bookkeeping_guard {
    bookkeeping_guard() {}  // user-provided: an RAII object, not an unused variable
};

}  // namespace kernel::backend
MMCHECK_ENGINE_END
