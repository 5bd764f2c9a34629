// A sleeping bit lock such as PG_locked: the seam object behind
// trylock_page/lock_page/unlock_page (model/mm/pagemap.h keeps the kernel names).
#pragma once

#include "model/kernel/detail/record.h"

MMCHECK_ENGINE_BEGIN
namespace kernel {

class sleeping_lock {
public:
    explicit sleeping_lock(detail::label name = {"PG_locked"}) : name_(name) {}
    const detail::label& name() const { return name_; }

    void lock(const char* op, const std::source_location& where) {
        detail::note_acquiring(name_, 0, where);
        m_.lock(where);
        detail::note_acquired(this, name_, detail::lock_mode::exclusive, true, where);
        detail::record(op, name_, nullptr, 0, 0, where);
    }
    bool try_lock(const char* op, const std::source_location& where) {
        const bool ok = m_.try_lock(where);
        if (ok) detail::note_acquired(this, name_, detail::lock_mode::exclusive, true, where, false);
        detail::record(op, name_, nullptr, ok, ok, where);
        return ok;
    }
    void unlock(const char* op, const std::source_location& where) {
        detail::note_released(this, detail::lock_mode::exclusive, where);
        m_.unlock(where);
        detail::record(op, name_, nullptr, 0, 0, where);
    }

private:
    backend::mutex m_;
    detail::label name_;
};

}  // namespace kernel
MMCHECK_ENGINE_END
