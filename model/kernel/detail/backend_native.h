// Native backend: real std::threads for stress runs and ThreadSanitizer. Marked
// accesses are C++ atomics; plain accesses stay plain, so TSan reports exactly the
// unmarked races of the model.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <source_location>
#include <thread>

MMCHECK_ENGINE_BEGIN
namespace kernel::detail {
struct grace_period;
}
namespace kernel::backend {

using word = std::uint64_t;
using site = std::source_location;

// Whether every model thread of a run shares one OS thread (fibers).
inline constexpr bool single_os_thread = false;

// Per-thread state the native driver sets when it starts a model thread.
struct native_thread {
    int id = 0;
    std::uint64_t rng = 0;
    // The run's end line, shared by its threads: raised by the first violation and
    // by the driver when it gives up on a suspected deadlock. Every wait below
    // checks it, so a thread waiting on a lock or a value that an aborted thread
    // will never release leaves with its run instead of outliving it.
    std::atomic<bool>* run_ended = nullptr;
};
native_thread& this_native_thread();

// Thrown to unwind a native model thread after a violation or at its run's end;
// the driver catches it.
struct execution_aborted {};

inline void leave_if_run_ended() {
    const std::atomic<bool>* ended = this_native_thread().run_ended;
    if (ended != nullptr && ended->load(std::memory_order_relaxed)) throw execution_aborted{};
}

[[noreturn]] inline void abort_execution() {
    if (std::atomic<bool>* ended = this_native_thread().run_ended) ended->store(true, std::memory_order_relaxed);
    throw execution_aborted{};
}

constexpr std::memory_order to_std(mo order) {
    switch (order) {
        case mo::relaxed: return std::memory_order_relaxed;
        case mo::consume: return std::memory_order_acquire;
        case mo::acquire: return std::memory_order_acquire;
        case mo::release: return std::memory_order_release;
        case mo::acq_rel: return std::memory_order_acq_rel;
        case mo::seq_cst: return std::memory_order_seq_cst;
    }
    return std::memory_order_seq_cst;
}

class atomic_word {
public:
    explicit atomic_word(word initial = 0) : value_(initial) {}
    word load(mo order, const site&) const { return value_.load(to_std(order)); }
    void store(word v, mo order, const site&) { value_.store(v, to_std(order)); }
    word exchange(word v, mo order, const site&) { return value_.exchange(v, to_std(order)); }
    word fetch_add(word delta, mo order, const site&) { return value_.fetch_add(delta, to_std(order)); }
    void add(word delta, const site&) { value_.fetch_add(delta, std::memory_order_relaxed); }
    bool compare_exchange(word& expected, word desired, mo order, const site&) {
        return value_.compare_exchange_strong(expected, desired, to_std(order));
    }
    void retire(const site&) {}

private:
    std::atomic<word> value_;
};

class plain_word {
public:
    explicit plain_word(word initial = 0) : value_(initial) {}
    word read(const site&) const { return value_; }
    void write(word v, const site&) { value_ = v; }

private:
    word value_;
};

class mutex {
public:
    // Spins, as the kernel's spinlocks do, so that it can see its run end (above).
    void lock(const site&) {
        while (!m_.try_lock()) {
            leave_if_run_ended();
            std::this_thread::yield();
        }
    }
    bool try_lock(const site&) { return m_.try_lock(); }
    void unlock(const site&) { m_.unlock(); }

private:
    std::mutex m_;
};

// A reader/writer semaphore with an exact downgrade (std::shared_mutex has none).
class rwsem {
public:
    void lock_shared(const site&) {
        std::unique_lock g(m_);
        wait(g, [&] { return !writer_; });
        ++readers_;
    }
    bool try_lock_shared(const site&) {
        std::lock_guard g(m_);
        if (writer_) return false;
        ++readers_;
        return true;
    }
    void unlock_shared(const site&) {
        std::lock_guard g(m_);
        --readers_;
        cv_.notify_all();
    }
    void lock(const site&) {
        std::unique_lock g(m_);
        wait(g, [&] { return !writer_ && readers_ == 0; });
        writer_ = true;
    }
    bool try_lock(const site&) {
        std::lock_guard g(m_);
        if (writer_ || readers_ != 0) return false;
        writer_ = true;
        return true;
    }
    void unlock(const site&) {
        std::lock_guard g(m_);
        writer_ = false;
        cv_.notify_all();
    }
    void downgrade(const site&) {
        std::lock_guard g(m_);
        writer_ = false;
        ++readers_;
        cv_.notify_all();
    }

private:
    // Wakes now and then to see whether its run ended (native_thread::run_ended).
    void wait(std::unique_lock<std::mutex>& g, auto ready) {
        while (!ready()) {
            leave_if_run_ended();
            cv_.wait_for(g, std::chrono::milliseconds(1));
        }
    }

    std::mutex m_;
    std::condition_variable cv_;
    int readers_ = 0;
    bool writer_ = false;
};

inline void fence(mo order, const site&) { std::atomic_thread_fence(to_std(order)); }

inline int thread_id() { return this_native_thread().id; }

inline unsigned choose(unsigned n, const site&) {
    // splitmix64: seeded per thread by the driver, so a stress run's choices are
    // reproducible per thread even though the interleaving is not.
    std::uint64_t& s = this_native_thread().rng;
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<unsigned>((z ^ (z >> 31)) % n);
}

inline void retry_hint(const site&) {
    leave_if_run_ended();
    std::this_thread::yield();
}

// RCU: the read side is a full barrier on entry, as on the other engines; a grace
// period spins (checker/native/native_engine.cpp).
inline void rcu_read_enter(const site& where) { fence(mo::seq_cst, where); }
inline void rcu_read_exit(const site&) {}
inline void grace_period_begin(const site&) {}
void grace_period_wait(detail::grace_period& gp, const site& where);

std::mutex& bookkeeping_mutex();
class bookkeeping_guard {
public:
    bookkeeping_guard() : g_(bookkeeping_mutex()) {}

private:
    std::lock_guard<std::mutex> g_;
};

}  // namespace kernel::backend
MMCHECK_ENGINE_END
