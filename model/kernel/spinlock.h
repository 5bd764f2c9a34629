// spinlock_t: the page-table locks (split ptl, mm->page_table_lock) and others.
#pragma once

#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

class spinlock_t {
public:
    explicit spinlock_t(detail::label name = {"spinlock"}) : name_(name) {}
    const detail::label& name() const { return name_; }
    backend::mutex& impl() { return m_; }

private:
    backend::mutex m_;
    detail::label name_;
};

inline void spin_lock(spinlock_t* lock, const std::source_location& where = std::source_location::current()) {
    detail::note_acquiring(lock->name(), 0, where);
    lock->impl().lock(where);
    detail::note_acquired(lock, lock->name(), detail::lock_mode::exclusive, false, where);
    detail::record("spin_lock", lock->name(), nullptr, 0, 0, where);
}

// include/linux/lockdep.h: the subclass of the inner lock when one lock class
// nests in itself (pmd ptl -> pte ptl, old -> new ptl in mremap).
inline constexpr int SINGLE_DEPTH_NESTING = 1;

// spin_lock_nested(): spin_lock() in lockdep subclass `subclass`, so that nesting
// two locks of one class in the kernel's documented order is not recursion.
inline void spin_lock_nested(spinlock_t* lock, int subclass,
                             const std::source_location& where = std::source_location::current()) {
    detail::note_acquiring(lock->name(), subclass, where);
    lock->impl().lock(where);
    detail::note_acquired(lock, lock->name(), detail::lock_mode::exclusive, false, where, true, subclass);
    detail::record("spin_lock_nested", lock->name(), nullptr, 0, 0, where);
}

inline bool spin_trylock(spinlock_t* lock, const std::source_location& where = std::source_location::current()) {
    const bool ok = lock->impl().try_lock(where);
    if (ok) detail::note_acquired(lock, lock->name(), detail::lock_mode::exclusive, false, where);
    detail::record(ok ? "spin_trylock (taken)" : "spin_trylock (busy)", lock->name(), nullptr, 0, 0, where);
    return ok;
}

inline void spin_unlock(spinlock_t* lock, const std::source_location& where = std::source_location::current()) {
    detail::note_released(lock, detail::lock_mode::exclusive, where);
    lock->impl().unlock(where);
    detail::record("spin_unlock", lock->name(), nullptr, 0, 0, where);
}

inline bool spin_is_locked_by_me(const spinlock_t* lock) { return detail::holds(lock); }

}  // namespace kernel
MMCHECK_ENGINE_END
