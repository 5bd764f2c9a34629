// Marked shared words: READ_ONCE/WRITE_ONCE, xchg/cmpxchg, acquire/release and
// the atomic_t family. Page-table entries are marked words of their entry type.
#pragma once

#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

using backend::mo;
using detail::label;
using detail::word_sized;

template <word_sized T>
class marked {
public:
    explicit marked(T initial = T{}, label name = {})
        : word_(detail::to_word(initial)), name_(name), latest_(detail::to_word(initial)) {}
    const label& name() const { return name_; }

    // Seam operations; model code calls the kernel-named functions below.
    T load(mo order, const char* op, const detail::site& where) const {
        const detail::word w = word_.load(order, where);
        detail::record(op, name_, &detail::format_word<T>, w, w, where, detail::step_kind::read, w != latest_);
        return detail::from_word<T>(w);
    }
    void store(T v, mo order, const char* op, const detail::site& where) {
        const detail::word w = detail::to_word(v);
        const detail::word before = latest_;
        word_.store(w, order, where);
        note_latest(w);
        detail::record(op, name_, &detail::format_word<T>, before, w, where, detail::step_kind::write);
    }
    T exchange(T v, mo order, const char* op, const detail::site& where) {
        const detail::word w = detail::to_word(v);
        const detail::word before = word_.exchange(w, order, where);
        note_latest(w);
        detail::record(op, name_, &detail::format_word<T>, before, w, where, detail::step_kind::write);
        return detail::from_word<T>(before);
    }
    T fetch_add(T delta, mo order, const char* op, const detail::site& where) {
        const detail::word before = word_.fetch_add(detail::to_word(delta), order, where);
        const detail::word after = detail::to_word(static_cast<T>(detail::from_word<T>(before) + delta));
        note_latest(after);
        detail::record(op, name_, &detail::format_word<T>, before, after, where, detail::step_kind::write);
        return detail::from_word<T>(before);
    }
    // A relaxed add whose result the caller drops (atomic_inc(), atomic_dec()):
    // the engines may let two such adds commute.
    void add(T delta, const char* op, const detail::site& where) {
        word_.add(detail::to_word(delta), where);
        const detail::word before = latest_;  // after the scheduling point, as fetch_add's
        const detail::word after = detail::to_word(static_cast<T>(detail::from_word<T>(before) + delta));
        note_latest(after);
        detail::record(op, name_, &detail::format_word<T>, before, after, where, detail::step_kind::write);
    }
    // The word's memory is freed (its page goes back to the allocator): no value
    // changes, but for the engines it is a write, which every later access to the
    // word depends on (the in-house engine's DPOR and retry wake-ups need it).
    void retire(const detail::site& where) { word_.retire(where); }
    // The value a store now would replace, for checker bookkeeping only: no
    // scheduling point, no access the engines see. Engines whose model threads
    // share one OS thread keep it (the latest in modification order); on real
    // threads it is a relaxed read of the word.
    T latest_value() const {
        if constexpr (backend::single_os_thread) {
            return detail::from_word<T>(latest_);
        } else {
            return detail::from_word<T>(word_.load(mo::relaxed, detail::site::current()));
        }
    }
    // Returns the value found, as the kernel's cmpxchg does.
    T compare_exchange(T expected, T desired, mo order, const char* op, const detail::site& where) {
        detail::word found = detail::to_word(expected);
        const detail::word want = detail::to_word(desired);
        const bool ok = word_.compare_exchange(found, want, order, where);
        if (ok) note_latest(want);
        detail::record(op, name_, &detail::format_word<T>, found, ok ? want : found, where,
                       ok ? detail::step_kind::write : detail::step_kind::read);
        return detail::from_word<T>(found);
    }

private:
    // The latest value in modification order, kept by engines whose model threads
    // share one OS thread, so that a trace can mark a read that returned an older
    // value (allowed by the memory model, surprising to a reader).
    void note_latest(detail::word w) {
        if constexpr (backend::single_os_thread) latest_ = w;
    }
    backend::atomic_word word_;
    label name_;
    detail::word latest_;
};

#define MMCHECK_SITE const std::source_location& where = std::source_location::current()

template <class T>
T READ_ONCE(const marked<T>& x, MMCHECK_SITE) { return x.load(mo::consume, "READ_ONCE", where); }

template <class T, class U>
void WRITE_ONCE(marked<T>& x, U v, MMCHECK_SITE) { x.store(T(v), mo::relaxed, "WRITE_ONCE", where); }

template <class T>
T smp_load_acquire(const marked<T>& x, MMCHECK_SITE) { return x.load(mo::acquire, "smp_load_acquire", where); }

template <class T, class U>
void smp_store_release(marked<T>& x, U v, MMCHECK_SITE) {
    x.store(T(v), mo::release, "smp_store_release", where);
}

// xchg and a successful cmpxchg are fully ordered in the kernel.
template <class T, class U>
T xchg(marked<T>& x, U v, MMCHECK_SITE) { return x.exchange(T(v), mo::seq_cst, "xchg", where); }

template <class T, class U, class V>
T cmpxchg(marked<T>& x, U old, V v, MMCHECK_SITE) {
    return x.compare_exchange(T(old), T(v), mo::seq_cst, "cmpxchg", where);
}

// A plain C dereference of a word the kernel otherwise accesses with marked
// operations (`pud_t orig = *pud;` in older kernels). Traced as such; the engines
// treat it as a relaxed load, so it does not count as a data race.
template <class T>
T plain_deref(const marked<T>& x, MMCHECK_SITE) { return x.load(mo::relaxed, "*p", where); }

// atomic_t / atomic_long_t: counters (refcount, mapcount, nr_ptes).
class atomic_long_t {
public:
    explicit atomic_long_t(long initial = 0, label name = {}) : v_(initial, name) {}
    marked<long>& raw() { return v_; }
    const marked<long>& raw() const { return v_; }

private:
    marked<long> v_;
};
using atomic_t = atomic_long_t;

inline long atomic_long_read(const atomic_long_t& a, MMCHECK_SITE) {
    return a.raw().load(mo::relaxed, "atomic_read", where);
}
inline void atomic_long_set(atomic_long_t& a, long v, MMCHECK_SITE) {
    a.raw().store(v, mo::relaxed, "atomic_set", where);
}
// Value-returning atomics are fully ordered in the kernel.
inline long atomic_long_add_return(long delta, atomic_long_t& a, MMCHECK_SITE) {
    return a.raw().fetch_add(delta, mo::seq_cst, "atomic_add_return", where) + delta;
}
// The non-value-returning ones are unordered (Documentation/atomic_t.txt).
inline void atomic_long_inc(atomic_long_t& a, MMCHECK_SITE) { a.raw().add(1, "atomic_inc", where); }
inline void atomic_long_dec(atomic_long_t& a, MMCHECK_SITE) { a.raw().add(-1, "atomic_dec", where); }
inline bool atomic_long_dec_and_test(atomic_long_t& a, MMCHECK_SITE) {
    return atomic_long_add_return(-1, a, where) == 0;
}
inline long atomic_read(const atomic_t& a, MMCHECK_SITE) { return atomic_long_read(a, where); }
inline void atomic_set(atomic_t& a, long v, MMCHECK_SITE) { atomic_long_set(a, v, where); }
inline void atomic_inc(atomic_t& a, MMCHECK_SITE) { atomic_long_inc(a, where); }
inline void atomic_dec(atomic_t& a, MMCHECK_SITE) { atomic_long_dec(a, where); }
inline long atomic_add_return(long delta, atomic_t& a, MMCHECK_SITE) {
    return atomic_long_add_return(delta, a, where);
}
inline bool atomic_dec_and_test(atomic_t& a, MMCHECK_SITE) {
    return atomic_long_add_return(-1, a, where) == 0;
}
// atomic_inc_not_zero() — include/linux/atomic/atomic-instrumented.h v6.6
// (atomic_add_unless(v, 1, 0), the generic fallback): a cmpxchg loop from one
// read of the counter.
inline bool atomic_inc_not_zero(atomic_t& a, MMCHECK_SITE) {
    long c = atomic_read(a, where);
    while (c != 0) {
        const long found = cmpxchg(a.raw(), c, c + 1, where);
        if (found == c) return true;
        c = found;
    }
    return false;
}

}  // namespace kernel
MMCHECK_ENGINE_END
