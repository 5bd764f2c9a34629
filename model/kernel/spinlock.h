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
    lock->impl().lock(where);
    detail::note_acquired(lock, lock->name(), detail::lock_mode::exclusive, false, where);
    detail::record("spin_lock", lock->name(), nullptr, 0, 0, where);
}

inline bool spin_trylock(spinlock_t* lock, const std::source_location& where = std::source_location::current()) {
    const bool ok = lock->impl().try_lock(where);
    if (ok) detail::note_acquired(lock, lock->name(), detail::lock_mode::exclusive, false, where);
    detail::record(ok ? "spin_trylock (taken)" : "spin_trylock (busy)", lock->name(), nullptr, 0, 0, where);
    return ok;
}

inline void spin_unlock(spinlock_t* lock, const std::source_location& where = std::source_location::current()) {
    detail::note_released(lock, where);
    lock->impl().unlock(where);
    detail::record("spin_unlock", lock->name(), nullptr, 0, 0, where);
}

inline bool spin_is_locked_by_me(const spinlock_t* lock) { return detail::holds(lock); }

}  // namespace kernel
MMCHECK_ENGINE_END
