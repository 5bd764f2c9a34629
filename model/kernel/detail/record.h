// Seam bookkeeping shared by every primitive: trace recording and lock tracking.
#pragma once

#include <bit>
#include <cstring>
#include <source_location>
#include <string>
#include <type_traits>

#include "model/kernel/detail/backend.h"
#include "model/kernel/detail/execution.h"

MMCHECK_ENGINE_BEGIN
namespace kernel::detail {

using site = std::source_location;

template <class T>
concept word_sized = std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(word);

template <word_sized T>
word to_word(T v) {
    word w = 0;
    std::memcpy(&w, &v, sizeof(T));
    return w;
}

template <word_sized T>
T from_word(word w) {
    T v{};
    std::memcpy(static_cast<void*>(&v), &w, sizeof(T));
    return v;
}

// describe(T) found by argument-dependent lookup decodes model types (pud_t, ...);
// everything else prints as a number.
template <class T>
concept describable = requires(T v) {
    { describe(v) } -> std::convertible_to<std::string>;
};

template <word_sized T>
std::string format_word(word w) {
    if constexpr (describable<T>) {
        return describe(from_word<T>(w));
    } else if constexpr (std::is_same_v<T, bool>) {
        return w ? "true" : "false";
    } else if constexpr (std::is_pointer_v<T>) {
        return w ? "ptr" : "NULL";
    } else {
        return std::to_string(static_cast<long long>(from_word<T>(w)));
    }
}

// A nondeterministic choice, recorded as (options << 32) | answer.
inline std::string format_choice(word packed) {
    return std::to_string(packed & 0xffffffffu) + " (of " + std::to_string(packed >> 32) + " answers)";
}

inline void record(const char* op, const label& object, value_formatter format, word before,
                   word after, const site& where, step_kind kind = step_kind::other, bool stale = false) {
    execution* exec = current_execution();
    if (exec == nullptr || !exec->tracing) return;
    const int self = backend::thread_id();
    const thread_state& t = exec->threads[self];
    raw_step step{self, where, op, object, format, before, after, kind, stale,
                  static_cast<std::uint8_t>(t.nheld), {}};
    for (int i = 0; i < t.nheld; ++i) step.held[i] = t.held[i].name;
    exec->trace.push_back(step);
}

[[noreturn]] void violation(violation_kind kind, std::string message, const site& where);

// Lock tracking and lockdep (model/kernel/detail/lockdep.cpp). note_acquiring()
// runs before a blocking acquisition waits, as lockdep's lock_acquire() does, and
// checks the lock order; note_acquired() records the lock as held. `blocking` is
// false for trylocks: a sleeping lock's trylock never sleeps, so it may be taken
// under a spinlock (trylock_page() under the ptl).
void note_acquiring(const label& name, int subclass, const site& where);
void note_acquired(const void* lock, const label& name, lock_mode mode, bool sleeping, const site& where,
                   bool blocking = true, int subclass = 0);
// Releasing checks that the lock is held, and held in `mode` (up_read() of a
// write-held rwsem is a lock-discipline violation).
void note_released(const void* lock, lock_mode mode, const site& where);
bool holds(const void* lock);
// At a model thread's end: no lock held, no RCU read-side section open. Engines
// call it after the thread's body returns (do_exit()'s debug_check_no_locks_held()).
void debug_check_no_locks_held(const site& where = site::current());

}  // namespace kernel::detail
MMCHECK_ENGINE_END
