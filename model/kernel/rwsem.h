// rw_semaphore: mmap_lock, i_mmap_rwsem, anon_vma->rwsem. A sleeping lock: taking
// it while holding a spinlock is a lock-discipline violation.
#pragma once

#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

class rw_semaphore {
public:
    explicit rw_semaphore(detail::label name = {"rwsem"}) : name_(name) {}
    const detail::label& name() const { return name_; }
    backend::rwsem& impl() { return s_; }

private:
    backend::rwsem s_;
    detail::label name_;
};

#define MMCHECK_RWSEM_SITE const std::source_location& where = std::source_location::current()

inline void down_read(rw_semaphore* s, MMCHECK_RWSEM_SITE) {
    detail::note_acquiring(s->name(), 0, where);
    s->impl().lock_shared(where);
    detail::note_acquired(s, s->name(), detail::lock_mode::shared, true, where);
    detail::record("down_read", s->name(), nullptr, 0, 0, where);
}
inline bool down_read_trylock(rw_semaphore* s, MMCHECK_RWSEM_SITE) {
    const bool ok = s->impl().try_lock_shared(where);
    if (ok) detail::note_acquired(s, s->name(), detail::lock_mode::shared, true, where, false);
    detail::record(ok ? "down_read_trylock (taken)" : "down_read_trylock (busy)", s->name(), nullptr, 0, 0, where);
    return ok;
}
inline void up_read(rw_semaphore* s, MMCHECK_RWSEM_SITE) {
    detail::note_released(s, detail::lock_mode::shared, where);
    s->impl().unlock_shared(where);
    detail::record("up_read", s->name(), nullptr, 0, 0, where);
}
inline void down_write(rw_semaphore* s, MMCHECK_RWSEM_SITE) {
    detail::note_acquiring(s->name(), 0, where);
    s->impl().lock(where);
    detail::note_acquired(s, s->name(), detail::lock_mode::exclusive, true, where);
    detail::record("down_write", s->name(), nullptr, 0, 0, where);
}
// down_write_nested(): down_write() in lockdep subclass `subclass`
// (SINGLE_DEPTH_NESTING, spinlock.h), as dup_mmap() takes the child's
// mmap_lock inside the parent's.
inline void down_write_nested(rw_semaphore* s, int subclass, MMCHECK_RWSEM_SITE) {
    detail::note_acquiring(s->name(), subclass, where);
    s->impl().lock(where);
    detail::note_acquired(s, s->name(), detail::lock_mode::exclusive, true, where, true, subclass);
    detail::record("down_write_nested", s->name(), nullptr, 0, 0, where);
}
inline bool down_write_trylock(rw_semaphore* s, MMCHECK_RWSEM_SITE) {
    const bool ok = s->impl().try_lock(where);
    if (ok) detail::note_acquired(s, s->name(), detail::lock_mode::exclusive, true, where, false);
    detail::record(ok ? "down_write_trylock (taken)" : "down_write_trylock (busy)", s->name(), nullptr, 0, 0, where);
    return ok;
}
inline void up_write(rw_semaphore* s, MMCHECK_RWSEM_SITE) {
    detail::note_released(s, detail::lock_mode::exclusive, where);
    s->impl().unlock(where);
    detail::record("up_write", s->name(), nullptr, 0, 0, where);
}
inline void downgrade_write(rw_semaphore* s, MMCHECK_RWSEM_SITE) {
    detail::note_released(s, detail::lock_mode::exclusive, where);
    s->impl().downgrade(where);
    detail::note_acquired(s, s->name(), detail::lock_mode::shared, true, where);
    detail::record("downgrade_write", s->name(), nullptr, 0, 0, where);
}

#undef MMCHECK_RWSEM_SITE

}  // namespace kernel
MMCHECK_ENGINE_END
