// Relacy backend, as seen by model code. Relacy's headers redefine new, delete,
// malloc and assert, so they are included by exactly one file,
// checker/relacy/backend.cpp; here every seam object is opaque storage sized for
// the Relacy object that file constructs in it.
#pragma once

#include <cstddef>
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

template <std::size_t Size>
struct alignas(16) opaque {
    std::byte bytes[Size];
};

class atomic_word {
public:
    explicit atomic_word(word initial = 0);
    ~atomic_word();
    atomic_word(const atomic_word&) = delete;
    atomic_word& operator=(const atomic_word&) = delete;
    word load(mo order, const site& where) const;
    void store(word v, mo order, const site& where);
    word exchange(word v, mo order, const site& where);
    word fetch_add(word delta, mo order, const site& where);
    void add(word delta, const site& where) { fetch_add(delta, mo::relaxed, where); }
    bool compare_exchange(word& expected, word desired, mo order, const site& where);
    // Relacy explores every interleaving within its bound: nothing to tell it.
    void retire(const site&) {}

private:
    mutable opaque<64> storage_;
};

class plain_word {
public:
    explicit plain_word(word initial = 0);
    ~plain_word();
    plain_word(const plain_word&) = delete;
    plain_word& operator=(const plain_word&) = delete;
    word read(const site& where) const;
    void write(word v, const site& where);

private:
    mutable opaque<48> storage_;
};

class mutex {
public:
    mutex();
    ~mutex();
    mutex(const mutex&) = delete;
    mutex& operator=(const mutex&) = delete;
    void lock(const site& where);
    bool try_lock(const site& where);
    void unlock(const site& where);

private:
    opaque<32> storage_;
};

// Relacy's rw mutex has no downgrade; downgrade() is unlock then lock_shared, which
// lets a writer in between. The in-house engine's rwsem is exact.
class rwsem {
public:
    rwsem();
    ~rwsem();
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
    opaque<32> storage_;
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

// All Relacy threads are fibers of one OS thread: checker bookkeeping needs no lock.
struct bookkeeping_guard {
    bookkeeping_guard() {}  // user-provided: an RAII object, not an unused variable
};

}  // namespace kernel::backend
MMCHECK_ENGINE_END
